"""Reading what a person wrote against what the bot just asked (pure Python, no Rasa).

- `text`: one normalization for every reader (case, accents, keycap emoji, spaces).
- `yes_no`: "sí", "simón", "va", "órale", "nel", "mejor no", and what follows them.
- `choices`: which listed option a reply picks: position, ordinal, hour, weekday, date,
  code, "esa", "cualquiera"; a bare number is read as an hour or a position.
- `replies`: what else a reply can be in the middle of a question (leave, digress).
- `menu`: a reply to the numbered main menu or to WhatsApp's numbered buttons.
- `date_text`: how people write dates ("mñn", "alas 3", "viernes 10:30", "en 2 días"),
  rewritten for Duckling with every offset kept.

Every regex here runs in linear time (no nested quantifiers), and readers of short
replies look at most at MAX_REPLY characters (tests/unit/test_interpret_adversarial.py).
"""
