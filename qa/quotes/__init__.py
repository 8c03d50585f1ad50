"""Direct quotations in a news article, each attributed to its speaker, by rules.

No language model ships offline, so this is a small rule engine over regular expressions:

1. Quote spans: paragraph by paragraph, curly (“ ” « ») and straight (") marks are paired; the
   direction of a mark is read from its context (space before and a letter after opens), so a
   typo such as ``that ”the likelihood`` still opens a quote.  The open/closed state is reset at
   each paragraph; an unclosed quote whose next paragraph opens with a mark is one quote running
   across paragraphs (the news convention) and all its parts share one speaker.
2. Mentions: capitalised name sequences (particles, hyphens, initials, non-ASCII letters) with an
   optional role or honorific before them (``Russian Foreign Minister Sergey Lavrov``,
   ``Mr. Blinken``) or a role appositive after them (``Lavrov, Russia's foreign minister,``).
   A per-article registry maps a later ``Blinken`` to ``Antony Blinken`` and keeps roles.
3. Attribution, first match wins: after the quote (``“…,” Blinken said`` / ``said Blinken`` /
   ``according to Blinken``), before it (``Blinken said: “…”`` / ``…to say that “…”``), a
   lead-in sentence (``Blinken said the talks were useful. “…”``), or a signature line after a
   paragraph that is only the quote (``-- Tennis player Naomi Osaka``).  Pronouns go to the most
   recent person in subject position.  Unattributed quotes then inherit the speaker of the
   previous quote in their paragraph (unless someone else became the subject in between) or of
   another part of the same multi-paragraph quote; a paragraph that is only a quote goes to the person
   whose words the paragraph before reports ("Okafor said the plan would fail." / "“Nobody asked us.”").
   "The 24-year-old" and "the Kenyan" are read as pronouns, "the CDC" as an organisation; a pronoun
   with no person as a subject nearby falls back to a lone name acting as one ("Halvorsen spoke").

Decisions: organisations keep their own name as speaker (``White House``), never a person's;
unnamed people and groups (``officials said``, ``the ministry said``) get speaker ``""``, but an unnamed
spokesperson speaks for the organisation named with them or before (``a KFC spokesperson``, ``the company
said``), and a person's office is its own speaker (``Andy Beshear's office``).  A
quoted fragment of fewer than four words is a term (scare quote, title) and is not returned
unless an attribution sits right next to it (``“No,” he said.``).

At query time, qa.quotes.speakers matches a name or role as a user writes it against stored quotes.
"""

from qa.quotes.attribution import EXTRACTOR_VERSION, find_quotes, read_quotes

__all__ = ["EXTRACTOR_VERSION", "find_quotes", "read_quotes"]
