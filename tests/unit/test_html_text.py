"""An agent's HTML as WhatsApp text (appointments/adapters/helpdesks/html_text.py, what
the Intercom adapter sends on): lists, links with their address, only web and mail links,
nothing left of empty paragraphs."""
from appointments.adapters.helpdesks.html_text import plain_text


def test_plain_text_lists_and_bare_links():
    assert plain_text("<ul><li>uno</li><li>dos</li></ul>") == "• uno\n• dos"
    assert plain_text('<a href="https://x.example">https://x.example</a>') == "https://x.example"
    assert plain_text('<a href="javascript:alert(1)">aquí</a>') == "aquí"
    assert plain_text("<p></p><p>  </p>") == ""
