"""Staff introducing themselves are not the customer: `Agent: Thank you for calling, you're through to
Sarah`, `Rep: my name's Priya, agent ID 4472`, `Hi, this is Tom from billing`, `坐席：您好，我是小刘，工号3071`.

Issue 12 names agents' own aliases (小王, 客服小美) as false positives: the name a support agent gives at
the start of a call or a chat is the firm's, not the customer's personal data, and the hushdesk user is
that agent. A name is the agent's when it follows a self-introduction (`my name is`, `this is`, `you're
speaking with`, 我是, 我叫) and
- its line is spoken by a staff role (`Agent:`, `Rep:`, `Advisor:`, `客服：`, `坐席：`...), or
- its sentence has the words of a greeting by staff (`thank you for calling`, `how can I help`, 很高兴为您服务),
  or the name is followed by the team it speaks for (`Tom from billing`, `Sam from the support team`).

Every other mention of that name in the same text (`Hi Claire, ...`, `thanks Sarah`) is the agent too. A
customer's own introduction (`Caller: this is Maria Gonzalez`) is not touched. Input side only (run in
Redactor.fused with the recognizers, after the names are chosen).
"""

from __future__ import annotations

import re
from typing import Sequence

# A speaker's label at a line's start (after an optional time stamp).
_LABEL = re.compile(r"[^\S\n]*(?:\[[0-9:.]{4,12}\][^\S\n]*)?([A-Za-z][A-Za-z ]{0,20}?|[\u4e00-\u9fff]{1,5})[^\S\n]*[:：]")
_STAFF = frozenset((
    "agent", "rep", "representative", "advisor", "adviser", "operator", "call handler", "csr", "support", "receptionist",
    "tech", "technician", "dispatcher", "officer", "assessor", "concierge", "associate", "specialist", "consultant",
    "clerk", "service desk", "helpdesk", "help desk", "cs", "customer service", "customer care", "staff", "host",
    "engineer dispatch", "call centre", "call center", "team", "bank", "insurer", "pharmacist", "nurse",
    "客服", "坐席", "话务员", "接线员", "工作人员", "服务员", "客服人员", "人工客服", "座席", "专员", "柜员", "接警员",
))
# The self-introduction right before the name.
_INTRO = re.compile(r"(?i:my name is|my name's|myname is|this is|it's|it is|you're speaking (?:to|with)|you are speaking "
                    r"(?:to|with)|you're through to|you are through to|you've reached|you're chatting with|you are "
                    r"chatting with|i'm|i am|here is|speaking is)[^\S\n]*$|(?:我是|我叫|我姓|本人是|这里是|敝姓)[^\S\n]*$")
_AFTER_INTRO = re.compile(r"[^\S\n]+(?i:here|speaking)[^\S\n]*(?:[,.!?;:\n]|$|- )")
_TITLE = re.compile(r"(?i:mr|mrs|ms|miss|mx|dr|sir|madam)\.?[^\S\n]*$")
_GREETING = re.compile(r"(?i:thank(?:s| you) for (?:calling|contacting|holding|waiting|your patience|getting in touch)|"
                       r"how (?:can|may) i (?:help|assist)|what can i do for you|welcome to|you're through to|"
                       r"you are through to|you've reached)|很高兴为您服务|为您服务|有什么可以帮|请问有什么|欢迎致电|感谢致电|"
                       r"感谢您的来电|工号")
_TEAM_AFTER = re.compile(r"[^\S\n]*(?:,[^\S\n]*)?(?i:from|at|with|in)[^\S\n]+(?:the[^\S\n]+)?(?i:billing|support|customer|"
                         r"service|sales|accounts?|claims|tech|technical|it|help|care|team|front desk|reception|"
                         r"bookings?|reservations|returns|collections|fraud|the [a-z]+ team)")
_SENTENCE = re.compile(r"[.!?。！？\n]")
# What may open a sentence before `it's <name>` said by staff (Hi, it's Sarah from...).
_OPENING = re.compile(r"[^\S\n]*(?i:(?:hi|hello|hey|good (?:morning|afternoon|evening)|yes|yeah|oh|sorry|"
                      r"thanks|thank you|ok|okay)[ ,!]*)*[^\S\n]*")
_OTHER_FIRM = re.compile(r"^(?:[^\S\n]+[a-z]+)?[^\S\n]+(?:at|of|for)[^\S\n]+[A-Z]")


def agent_names(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` less the PERSON matches that are staff introducing themselves, and other mentions of them."""
    if not any(labels[m.rank] == "PERSON" for m in chosen):
        return list(chosen)
    aliases: set[str] = set()
    dropped = set()
    for i, m in enumerate(chosen):
        if labels[m.rank] != "PERSON" or _TITLE.match(text, m.start) or _TITLE.search(text, max(0, m.start - 6), m.start):
            continue  # Mr Jones: staff give no title to themselves
        intro = _INTRO.search(text, max(0, m.start - 30), m.start)
        line_start = text.rfind("\n", 0, m.start) + 1
        label = _LABEL.match(text, line_start)
        staff = label is not None and label.end() <= m.start and label.group(1).strip().lower() in _STAFF
        if intro is None:
            # Sam here, Hamid speaking: the word after says who it is, opening a sentence or a staff line's clause
            opening = _SENTENCE.split(text[line_start:m.start])[-1].split(":")[-1]
            if _AFTER_INTRO.match(text, m.end) is None or not (
                    _OPENING.fullmatch(opening.rstrip(", ")) or (staff and opening.rstrip().endswith(","))):
                continue  # (a note from Maria here: someone else)
        else:
            opening = _SENTENCE.split(text[line_start:intro.start()])[-1]
            if intro.group().lower().startswith("it") and not _OPENING.fullmatch(opening.split(":")[-1]):
                continue  # and it's Aroha Ngata on the card?: the agent reads the customer's name back
        if not staff:
            if label is not None and label.end() <= m.start:
                continue  # another speaker (Caller:, Customer:) introducing themselves
            before = _SENTENCE.split(text[line_start:m.start])[-1]
            after = text[m.end:m.end + 80]
            sentence_after = _SENTENCE.split(after)[0]
            team = _TEAM_AFTER.match(text, m.end)
            if team is not None and _OTHER_FIRM.search(text[team.end():team.end() + 24]):
                team = None  # May from the accounts team at Hope Street Dental: a customer's firm
            if not (_GREETING.search(before) or _GREETING.search(sentence_after) or team):
                continue
        dropped.add(i)
        aliases.add(text[m.start:m.end].split()[0].lower())
    if not dropped:
        return list(chosen)
    return [m for i, m in enumerate(chosen) if i not in dropped and not (
        labels[m.rank] == "PERSON" and _bare_mention(text[m.start:m.end], aliases))]


_GREETED = ("hi", "hello", "hey", "thanks", "thank you", "cheers", "dear", "ok", "okay")


def _bare_mention(value: str, aliases: set[str]) -> bool:
    """The alias alone or after a greeting (`Hi Claire`), not someone's full name."""
    low = value.lower().strip(" ,.!?")
    for word in _GREETED:
        if low.startswith(word + " ") or low.startswith(word + ", "):
            low = low[len(word):].strip(" ,")
            break
    return low in aliases
