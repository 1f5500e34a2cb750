"""Reading what a person wrote against what the bot just asked (pure Python, no Rasa).

- `text`: one normalization for every reader (case, accents, keycap emoji, spaces,
  "thank you" as "thanks"); `spelled` lists "that's" as "that s" and "thats".
- `yes_no`: "sí", "simón", "va", "órale", "nel", "mejor no", and what follows them.
- `choices`: which listed option a reply picks: position, ordinal, hour, weekday, date,
  code, "esa", "cualquiera"; a bare number is read as an hour or a position.
- `replies`: what else a reply can be in the middle of a question (leave, digress).
- `menu`: a reply to the numbered main menu or to WhatsApp's numbered buttons.
- `date_text`: how people write dates ("mñn", "alas 3", "viernes 10:30", "en 2 días"),
  rewritten for Duckling with every offset kept.

The readers understand English replies too ("yeah", "the 2nd one", "any", "never mind"),
in the same word lists where no Spanish reading changes, or in an English list beside
them when a word is Spanish too ("no", "a", "me", "once", "sale", "yo", "don").

Every regex here runs in linear time (no nested quantifiers), and readers of short
replies look at most at MAX_REPLY characters (tests/unit/test_interpret_adversarial.py).
"""
