"""What the LLM path must not take or say (appointments/services/llm_answers.py).

Spanish and English. On the customer's side: words about booking, cancelling, changing or availability (the
menu handles those, not a model) and requests for medical or legal advice. On the
model's side: the "I don't know" marker, and a claim that it booked or cancelled
something (it cannot, and must never seem to).

Every pattern reads the normalized text (appointments.interpret.text: lower case, no
accents, punctuation as spaces, stretched letters collapsed, "q" -> "que") and is a plain
alternation of literals with at most a trailing \\w* or a bounded gap: linear time on any
input, also a hostile one.
"""
from __future__ import annotations

import re
from typing import Optional

from appointments.interpret.text import normalize

READ_LIMIT = 2000  # characters of a message or an answer that the patterns read

_BOOKING = re.compile(
    r"\b(?:"
    r"a[gj]end\w*"  # agendar, agenda, agéndame, ajendar
    r"|re[ae]?gend\w*"  # reagendar, regendar
    r"|[cs]it+as?|citita"  # cita, citas, sita, citta
    r"|reser[vb]\w*"  # reservar, reservación, reserbar
    r"|apart(?:a|ar|as|o|en|ame|arme|arla|arlo|ado|ada|amos|enme)"  # not "aparte de"
    r"|[ck]an[cs]el(?!aci)\w*"  # cancelar, cancélala, canselar; not "cancelación" (policy)
    r"|anul(?:a|ar|o|ala|arla)"
    r"|(?:cambi|mov|muev|pas|recorr|adelant)\w* (?:la|mi|una|el) (?:cita|hora|turno|consulta)"
    r"|horarios? (?:libres?|disponibles?)|disponib\w*|dispo"
    r"|(?:hay|habra|tienen|tendran|tienes) (?:lugar|espacio|cupo|chance|hueco)"
    r"(?! (?:para|de|donde) (?:estacion|carro|auto|coche|dejar))"  # parking is a question
    r"|cupos?|turnos?"
    r"|(?:me|nos) (?:pueden|puedes|podrian) (?:atender|recibir|ver)"
    # English
    r"|appointments?|appts?|book(?:ing|ed)?|reschedul\w*|availab\w*"
    r"|(?:free|open|any) (?:slots?|spots?|openings?|times?)"
    r"|(?:can|could) (?:you|u) (?:see|fit|squeeze) (?:me|us) in"
    r")\b"
)

_ADVICE = re.compile(
    r"\b(?:"
    r"medic(?:amento|ina)s?|antibiotic\w*|analgesic\w*|antiinflamatori\w*|pastill\w*"
    r"|dos[iy]s|recet\w*|ibuprofeno|paracetamol|amoxicilina|naproxeno|ketorolaco|clindamicina"
    r"|que (?:me )?(?:tomo|puedo tomar|debo tomar|le doy|le puedo dar)(?! en cuenta)"
    r"|me duele\b.{0,80}?\bque (?:hago|tomo|me tomo|me pongo|puedo hacer)"
    r"|diagnostic\w*|es grave|sera grave|es normal que|me (?:recomiendas|recomiendan) tomar"
    r"|demand\w*|abogad\w*|denuncia\w*|asesoria legal|negligencia"
    # English
    r"|medicines?|medications?|antibiotics?|painkillers?|pills?|dos(?:e|es|age)"
    r"|prescri\w*|ibuprofen|acetaminophen|tylenol|amoxicillin"
    r"|what (?:should|can) (?:i|we) (?:take|give)|is it serious|is it normal that"
    r"|diagnos\w*|lawsuits?|lawyers?|attorneys?|sue|malpractice|legal advice"
    r")\b"
)

_CLAIMED = re.compile(
    r"\b(?:"
    r"(?:ya )?(?:te )?(?:agende|reserve|aparte|cancele|reagende|anote|registre)"
    r"|(?:he|hemos|ya) (?:agendado|reservado|apartado|cancelado|reagendado|confirmado"
    r"|movido|cambiado)"
    r"|(?:agendamos|reservamos|apartamos|reagendamos)"
    r"|tu cita (?:ya )?(?:quedo|queda|esta|ha sido|fue)"
    r"|(?:quedo|queda) (?:agendad|reservad|apartad|confirmad|cancelad|programad)\w*"
    r"|te (?:esperamos|vemos) (?:el|este|manana|hoy|a las)"
    # English
    r"|(?:i|we) (?:ve |have |just |already )?(?:booked|scheduled|reserved|cancell?ed"
    r"|rescheduled|confirmed|moved|changed)"
    r"|your (?:appointment|appt|booking) (?:is|was|has been) (?:now )?(?:booked|confirmed|set"
    r"|scheduled|cancell?ed|moved|changed)"
    r"|see you (?:on|this|tomorrow|today|at|then)"
    r")\b"
)

_NOT_KNOWN = re.compile(r"\bNO[_ ]?S[EÉ]\b")


def _said(text: Optional[str]) -> str:
    return normalize(text, limit=READ_LIMIT)


def asks_to_book(text: Optional[str]) -> bool:
    """Booking, cancelling, changing or availability: the menu's job."""
    return bool(_BOOKING.search(_said(text)))


def asks_for_advice(text: Optional[str]) -> bool:
    """Medicines, doses, symptoms, diagnoses, lawsuits: nobody answers those by chat."""
    return bool(_ADVICE.search(_said(text)))


def claims_a_booking(answer: Optional[str]) -> bool:
    """The model says it booked, cancelled or confirmed something."""
    return bool(_CLAIMED.search(_said(answer)))


def says_not_known(answer: Optional[str]) -> bool:
    """The model's marker for "not in the profile" (NO_SE, also NO SÉ / NO_SÉ)."""
    return bool(_NOT_KNOWN.search((answer or "")[:READ_LIMIT]))
