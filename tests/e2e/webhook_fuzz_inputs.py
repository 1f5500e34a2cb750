"""What the WhatsApp webhook's fuzz test (test_fuzz_webhook.py) posts, as hypothesis
strategies: (a) the fields of signed messages (any Unicode body up to WhatsApp's 1,600
characters, malformed NumMedia and MediaUrl0, Twilio's other fields and made-up ones);
(b) raw malformed bodies (random bytes, invalid UTF-8, broken percent-encoding, forms
without a sender) and the Content-Types they come with."""
from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import strategies as st

# --- (a) signed messages -----------------------------------------------------------------

ANY_CHAR = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot be sent
SHORT_TEXT = st.text(ANY_CHAR, max_size=60)
PHRASES = st.sampled_from([
    "hola", "¡Hola!", "1", "4", "menú", "mañana a las 5", "el 31 de febrero", "15/12",
    "K7P-3QX", "cancelar K7P-3QX", '/cancel_appointment{"appointment_code": "K7P-3QX"}',
    "/restart", "/session_start", "/share_media", "//", "/", " ", "\x00", "\u202e", "🙏" * 50,
])


def repeated(piece: str, times: int) -> str:
    return (piece * times)[:1600]


BODY = st.one_of(
    SHORT_TEXT,
    PHRASES,
    st.lists(st.one_of(PHRASES, SHORT_TEXT), max_size=4).map(" ".join),
    # long: up to WhatsApp's 1,600 characters (bodies over 64 KB are refused: 413)
    st.builds(repeated, st.text(ANY_CHAR, min_size=1, max_size=30), st.integers(1, 1600)),
)
NUM_MEDIA = st.one_of(
    st.integers(-3, 15).map(str),
    st.sampled_from(["", " 1", "1 ", "01", "+1", "1e3", "1.0", "²", "١", "１", "NaN",
                     "99999999999999999999999", "0x1", "-0", "\x00"]),
    SHORT_TEXT,
)
MEDIA_URL = st.one_of(
    st.sampled_from(["https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
                     "", "not a url", "javascript:alert(1)", "file:///etc/passwd",
                     "http://127.0.0.1:1/x", "https://" + "a" * 3000 + ".com"]),
    SHORT_TEXT,
)
TWILIO_FIELDS = ["WaId", "Latitude", "Longitude", "MediaContentType0", "MediaUrl1",
                 "MediaContentType1", "ButtonPayload", "ButtonText", "NumSegments",
                 "SmsStatus", "AccountSid", "ApiVersion", "ReferralNumMedia", "Address",
                 "Label", "SmsMessageSid", "OriginalRepliedMessageSid"]
FIXED_FIELDS = {"From", "To", "Body", "MessageSid", "NumMedia", "MediaUrl0", "ProfileName"}
EXTRAS = st.dictionaries(
    st.one_of(st.sampled_from(TWILIO_FIELDS), st.text(ANY_CHAR, min_size=1, max_size=20))
    .filter(lambda key: key not in FIXED_FIELDS),
    st.one_of(SHORT_TEXT, st.floats(allow_nan=True).map(str)),
    max_size=6,
)


def optional(strategy):
    return st.one_of(st.none(), strategy)  # None: the field is not posted at all


# --- (b) raw malformed bodies -------------------------------------------------------------

PERCENT_NOISE = st.lists(
    st.one_of(
        st.sampled_from(["%", "%Z", "%ZZ", "%E0%A4", "%FF", "%C3", "%00", "%%", "%2", "=",
                         "&", "&&", "==", "+", ";", "Body=", "From=", "From=whatsapp:+52",
                         "NumMedia=", "%F0%9F%99", "%ED%A0%80", "Body=%u00f1"]),
        st.text(ANY_CHAR, max_size=6),
    ),
    max_size=20,
).map(lambda parts: "".join(parts).encode("utf-8"))
INVALID_UTF8 = st.builds(
    lambda head, junk, tail: head + junk + tail,
    st.sampled_from([b"", b"Body=", b"From=whatsapp%3A%2B5215599990000&Body="]),
    st.sampled_from([b"\xff", b"\xfe\xff", b"\xc3", b"\xc3\x28", b"\xed\xa0\x80",
                     b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x80"]),
    st.binary(max_size=50),
)
# well-formed forms that lack what a message needs (no From, an empty From)
INCOMPLETE_FORMS = st.dictionaries(
    st.sampled_from(["Body", "To", "MessageSid", "NumMedia", "From"]), SHORT_TEXT, max_size=4,
).filter(lambda form: not form.get("From")).map(lambda form: urlencode(form).encode())
RAW_BODIES = st.one_of(
    st.binary(max_size=3000), INVALID_UTF8, PERCENT_NOISE, INCOMPLETE_FORMS,
    st.text(ANY_CHAR, max_size=300).map(lambda text: text.encode("utf-8")),
)
CONTENT_TYPES = st.one_of(
    st.none(),
    st.sampled_from([
        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
        "application/x-www-form-urlencoded; charset=latin-1", "application/json", "text/plain",
        "multipart/form-data; boundary=xyz", "multipart/form-data", "application/octet-stream",
        "", "garbage/;;;", "text/xml; charset=utf-16",
    ]),
)
