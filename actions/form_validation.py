"""One way to read and check form answers, shared by the booking, cancellation and
reschedule forms.

Every answer is read against the question the bot just asked (`requested_slot` and the
options it listed): a greeting, "hmm" or thanks get a short answer and the same
question again; "ya no" / "olvídalo" leave the flow and say nothing changed; at the
confirmation, "no, a las 5" changes the time instead of cancelling; a listed option can
be picked by position, hour, weekday, date, code or "cualquiera"
(`appointments.interpret`). What the answer holds is then checked against the
scheduling rules (`actions.answer_checks`), and any problem explained.

Returning no slot at all when nothing fits lets Rasa reject the form, so rules can
handle a change of topic ("mejor cancela mi cita").
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answer_checks, formatting, reply_context, services
from actions.asides import read_aside
from actions.service_choice import read_service
from actions.slot_state import (
    DISPLAY_SLOTS,
    REQUESTED_SLOT,
    parse_day,
    slots_set_since_last_user_message,
)
from appointments.interpret.choices import read_choice, wants_first
from appointments.interpret.date_text import day_of_month
from appointments.interpret.text import normalize
from appointments.interpret.yes_no import read_yes_no
from appointments.interpret.requested_time import read_requested_time
from appointments.domain import normalize_code

DATE, TIME, CODE = reply_context.DATE, reply_context.TIME, reply_context.CODE
SERVICE = reply_context.SERVICE
OFFERED = "offered_options"
LAST_CODE = "last_appointment_code"

# Intents that mean "I want something else": nothing is extracted, Rasa rejects the form
# and the rules in data/rules/ take over.
TOPIC_CHANGES = {
    "book_appointment", "cancel_appointment", "reschedule_appointment", "view_slots",
    "list_appointments", "human_handoff", "show_menu", "goodbye", "greet", "thank",
    "bot_challenge", "out_of_scope", "nlu_fallback", "deny", "switch_language",
}
# Questions about the business: answered by action_answer_question, then the form asks
# its question again ("¿abren el sábado?" while choosing a day is not a day picked).
QUESTIONS = {
    "ask_hours", "ask_location", "ask_prices", "ask_payment", "ask_services",
    "ask_preparation", "ask_cancellation_policy", "ask_facilities",
}
NOT_UNDERSTOOD = {
    SERVICE: "utter_service_not_understood",
    DATE: "utter_date_not_understood",
    TIME: "utter_time_not_understood",
    CODE: "utter_code_invalid",
}
# "cámbiala", "cancélala", "muévela", "esa cita", "move it", "that appointment": the
# appointment just talked about (read in the reply padded with spaces).
REFERS_BACK = ("ala ", "ela ", "esa cita", "la cita que", "esa misma", "la que acabo",
               " change it ", " move it ", " cancel it ", " reschedule it ", " push it ",
               " cancel that ", " change that ", " move that ", " that one", " this one",
               " that appointment", " that appt", " this appointment", " the one i just",
               " the appointment i just", " the one i booked", " the one i made",
               " the same one")


class AppointmentFormValidation(Action):
    """Base of `validate_<form>` actions. Subclasses set `form` and `required`."""

    form: Text = ""
    required: tuple = ()
    confirmation_slot: Text = ""

    def name(self) -> Text:
        return f"validate_{self.form}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        current = {slot: tracker.get_slot(slot) for slot in self.required + DISPLAY_SLOTS}
        updates: Dict[Text, Any] = {}
        if requested is None:
            # The form is starting: forget answers from an earlier flow, but keep what
            # an action set on purpose just before it (e.g. alternatives after a clash).
            kept = slots_set_since_last_user_message(tracker)
            for slot, value in current.items():
                if slot not in kept and value is not None:
                    updates[slot] = None
                    current[slot] = None
        else:
            intent = (tracker.latest_message.get("intent") or {}).get("name")
            if intent in QUESTIONS:
                return []  # the form rejects it; data/rules/business.yml answers
            aside = read_aside(dispatcher, tracker, requested, self.form, self.confirmation_slot)
            if aside is not None:
                return aside
        found = self.extract(dispatcher, tracker, requested, current)
        if not found:
            intent = (tracker.latest_message.get("intent") or {}).get("name")
            not_understood = NOT_UNDERSTOOD.get(requested) or (
                "utter_yes_or_no" if requested == self.confirmation_slot else None)
            if intent == "view_slots" and requested in (DATE, TIME):
                updates[requested] = None  # "¿qué horarios tienen?": the list again
            elif not_understood and intent not in TOPIC_CHANGES:
                dispatcher.utter_message(response=not_understood)
                updates[requested] = None
            return [SlotSet(k, v) for k, v in updates.items()]
        alternative = found.pop("_weekday_alternative", None)
        current.update(found)
        updates.update(found)
        updates.update(answer_checks.validate(dispatcher, tracker, current, found, alternative))
        return [SlotSet(k, v) for k, v in updates.items()]

    # --- extraction ------------------------------------------------------------------

    def extract(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        requested: Optional[Text],
        current: Dict[Text, Any],
    ) -> Dict[Text, Any]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        entities = message.get("entities") or []
        intent = (message.get("intent") or {}).get("name")
        service = services.appointment_service()
        found: Dict[Text, Any] = {}
        if SERVICE in self.required and not current.get(SERVICE):
            found.update(read_service(text, requested, current.get(OFFERED) or []))
            if requested == SERVICE and found:
                found[OFFERED] = None  # the service list is answered
            if requested == SERVICE and (not entities or found and normalize(text).isdigit()):
                return found  # "2" picks the second service, not the 2nd of the month

        if CODE in self.required and not current.get(CODE):
            found.update(self._which_appointment(tracker, requested, text, entities))
            if found.get(CODE) and requested in (CODE, None):
                entities = self._without_old_moment(entities, found[CODE], tracker.sender_id)
        if requested in (DATE, TIME) or (requested is None and DATE in self.required):
            if wants_first(text) and not entities:
                found.update(self._first_free(tracker.sender_id, requested, current))
                return found
        # "el martes 8" at a day list names a date, unless it answers "¿el viernes 4 o
        # el sábado 12?" (a short list): then "el sábado" picks from it.
        names_a_day = (requested == DATE and len(current.get(OFFERED) or []) > 3
                       and any(e.get("entity") == "time" for e in entities))
        if requested in (DATE, TIME, CODE) and requested not in found and not names_a_day:
            picked = self._picked_option(dispatcher, tracker, requested, text, current)
            if picked is not None:
                return picked
            said = normalize(text)
            if requested == DATE and said.isdigit():  # "10" past the list: the 10th
                day = day_of_month(reply_context.today(), int(said))
                if day is not None:
                    return {DATE: day.isoformat()}
        if DATE in self.required:
            wanted = read_requested_time(entities, service.calendar)
            if wanted.day is not None:
                found[DATE] = wanted.day.isoformat()
                if wanted.weekday_mismatch and wanted.weekday_alternative:
                    found["_weekday_alternative"] = wanted.weekday_alternative.isoformat()
            if wanted.at is not None:
                found[TIME] = formatting.time_text(wanted.at)
            if wanted.window is not None:
                found[OFFERED] = self._slots_in_window(tracker.sender_id, wanted, current)
        if requested == self.confirmation_slot:
            said = normalize(text)
            day = parse_day(current.get(DATE))
            if said.isdigit() and day is not None and TIME in self.required and not found:
                # "12" at "¿Confirmas ... a las 12:00?": an hour, asked again to confirm
                if 1 <= int(said) <= 23:
                    at = service.calendar.resolve_hour(day, int(said), 0, False)
                    found[TIME] = formatting.time_text(at)
            answer = self._yes_no(intent, text)
            if any(k in found for k in (DATE, TIME, OFFERED)):
                found[self.confirmation_slot] = None  # a new date or time: confirm again
            elif answer is not None:
                found[self.confirmation_slot] = answer
        return found

    def _yes_no(self, intent: Optional[Text], text: Text) -> Optional[bool]:
        answer = read_yes_no(text).answer
        if answer is not None:
            return answer
        if intent == "affirm" or (self.form == "cancellation_form"
                                  and intent == "cancel_appointment"):
            return True
        if intent == "deny":
            return False
        return None

    def _picked_option(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        requested: Text,
        text: Text,
        current: Dict[Text, Any],
    ) -> Optional[Dict[Text, Any]]:
        offered = current.get(OFFERED) or []
        if not offered:
            return None
        mine = reply_context.upcoming_by_code(tracker.sender_id) if requested == CODE else {}
        options = reply_context.options(offered, mine)
        choice = read_choice(text, options, reply_context.numbered(requested, offered),
                             reply_context.today())
        if choice.ambiguous:
            dispatcher.utter_message(response="utter_which_one")
            return {requested: None, OFFERED: [offered[i] for i in choice.candidates]}
        if choice.index is None:
            return None
        value = offered[choice.index]
        if requested == CODE:
            return {CODE: value}
        if "T" in value:  # a full slot: date and time at once
            option = options[choice.index]
            return {DATE: option.day.isoformat(), TIME: formatting.time_text(option.at)}
        return {DATE: value}

    def _which_appointment(
        self, tracker: Tracker, requested: Optional[Text], text: Text, entities: List[Dict]
    ) -> Dict[Text, Any]:
        """The appointment a message names: its code, a description of one of the
        user's appointments ("la del martes"), the one just booked ("cámbiala"), or the
        only one there is."""
        codes = [e.get("value") for e in entities if e.get("entity") == CODE]
        code = next(filter(None, map(normalize_code, codes)), None)
        if code:
            return {CODE: code}
        if requested not in (None, CODE):
            return {}
        upcoming = reply_context.upcoming_by_code(tracker.sender_id)
        if not upcoming:
            return {}
        if requested is None:
            values = list(upcoming)
            choice = read_choice(text, reply_context.options(values, upcoming),
                                 numbered=False, today=reply_context.today())
            if choice.index is not None:
                return {CODE: values[choice.index]}
            last = tracker.get_slot(LAST_CODE)
            if last in upcoming and any(m in f" {normalize(text)} " for m in REFERS_BACK):
                return {CODE: last}
            if len(upcoming) == 1:
                return {CODE: values[0]}
        return {}

    @staticmethod
    def _without_old_moment(entities: List[Dict], code: Text, phone: Text) -> List[Dict]:
        """'cambia la del jueves para el viernes', 'mover la cita del jueves': a day
        that is the chosen appointment's own names it, not the new day."""
        times = [e for e in entities if e.get("entity") == "time"]
        if not times:
            return entities
        appointment = reply_context.upcoming_by_code(phone).get(code)
        if appointment is None:
            return entities
        old_day = appointment.start.date().isoformat()

        def names_the_old_one(entity: Dict) -> bool:
            info = entity.get("additional_info") or {}
            on_old_day = str(entity.get("value", ""))[:10] == old_day
            return on_old_day and (len(times) > 1 or info.get("grain") == "day")

        return [e for e in entities if not names_the_old_one(e)]

    def _first_free(self, phone: Text, requested: Optional[Text],
                    current: Dict[Text, Any]) -> Dict[Text, Any]:
        """"cualquiera", "lo antes posible": the first free slot of the day being
        chosen, or the first free slot at all."""
        service = reply_context.scheduler(phone, current)
        day = parse_day(current.get(DATE)) if requested == TIME else None
        listed = [v for v in current.get(OFFERED) or [] if "T" in v]
        if day is not None and listed:  # the first of the times just listed ("en la tarde")
            return {DATE: day.isoformat(), TIME: formatting.time_text(datetime.fromisoformat(listed[0]))}
        slots = service.free_slots(day)[:1] if day else service.next_free_slots(1)
        if not slots:
            return {}
        return {DATE: slots[0].date().isoformat(), TIME: formatting.time_text(slots[0])}

    def _slots_in_window(self, phone: Text, wanted: Any, current: Dict[Text, Any]) -> List[str]:
        day = wanted.day or parse_day(current.get(DATE))
        if day is None:
            return []
        free = reply_context.scheduler(phone, current).free_slots(day, window=wanted.window)
        return [slot.isoformat() for slot in free]
