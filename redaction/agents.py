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

from .detectors.base import CJK_CHARS

# A speaker's label at a line's start (after an optional time stamp).
_LABEL = re.compile(r"[^\S\n]*(?:\[[0-9:.]{4,12}\][^\S\n]*)?([A-Za-z][A-Za-z0-9 ]{0,20}?|[\u4e00-\u9fff]{1,5})[^\S\n]*[:：]")
_STAFF = frozenset((
    "agent", "rep", "representative", "advisor", "adviser", "operator", "call handler", "csr", "support", "receptionist",
    "tech", "technician", "dispatcher", "officer", "assessor", "concierge", "associate", "specialist", "consultant",
    "clerk", "service desk", "helpdesk", "help desk", "cs", "customer service", "customer care", "staff", "host",
    "engineer dispatch", "call centre", "call center", "team", "bank", "insurer", "pharmacist", "nurse",
    "instructor", "coach", "trainer", "bot", "chatbot", "assistant", "virtual assistant", "ivr", "教练", "助手",
    "客服", "坐席", "话务员", "接线员", "工作人员", "服务员", "客服人员", "人工客服", "座席", "专员", "柜员", "接警员",
))
# The self-introduction right before the name.
_INTRO = re.compile(r"(?i:my name is|my name's|myname is|this is|it's|it is|(?:you're|you are|youre) (?:speaking|talking) "
                    r"(?:to|with)|(?:you're|you are|youre) (?:through|connected) to|you've reached|you have reached|"
                    r"(?:you're|you are|youre) chatting with|i'm|i am|here is|speaking is)[^\S\n]*$|"
                    r"(?:我是|我叫|我姓|本人是|这里是|敝姓|我係|我系)(?:[^\n，。,]{0,12}?(?:客服|专员|專員|客户经理|客戶經理|"
                    r"经理|經理|顾问|顧問|主管|坐席))?[^\S\n]*$")
# `this side`: the Indian English `speaking` (Neha this side).
_AFTER_INTRO = re.compile(r"[^\S\n]+((?i:here|speaking|this side))[^\S\n]*(?:[,.!?;:\n]|$|- |(?i:how|what|can|may|hi|hello))")
# Introductions no customer makes.
_ONLY_STAFF_SAY = re.compile(r"(?i:you're|you are|youre) (?:speaking|talking|through|chatting|connected)|(?i:you've|you have) "
                             r"reached")
_CUSTOMER = frozenset(("caller", "customer", "client", "member", "patient", "passenger", "guest", "user", "cust",
                       "traveller", "traveler", "policyholder", "student", "客户", "来电人", "用户", "顾客", "来电",
                       "乘客", "患者", "市民", "旅客", "报警人"))
# A firm's name opening a greeting, before the one who answers (Emerald Energy, Ciara speaking).
_FIRM_GREETING = re.compile(r"(?:[^\S\n]+(?:[A-Z][A-Za-z&'’-]*|(?:customer|service|services|support|technical|tech|team|claims|"
                            r"desk|line|helpline|hotline|centre|center|care|returns|billing|sales|bookings|reservations|"
                            r"scheduling|appointments|enquiries|members?|cards|online|prepaid)(?![A-Za-z]))){0,4},[^\S\n]*[A-ZÀ-Þ][^\s,]{1,20}(?:[^\S\n]+[A-ZÀ-Þ][^\s,]{1,20})?"
                            r"[^\S\n]+(?i:speaking|here)(?![A-Za-z])")
# A greeting and the firm's name, all before the introduction (National Passport Information Center, this
# is Ray; Namaste, Suraksha Travel Insurance, this is Vikram; Lakeview Health scheduling, I'm Priscilla).
_FIRM_OPENING = re.compile(r"[^\S\n]*(?i:(?:hi there|hiya|hi|hello|hey|g'day|good (?:morning|afternoon|evening)|morning|"
                           r"evening|namaste|namaskar|kia ora|welcome to|sorry|ah|um|uh|yes)[ ,!]*)*"
                           r"(?!(?i:hi|hiya|hello|hey|g'day|good|morning|evening|afternoon|namaste|welcome|thanks|thank|yes|"
                           r"yeah|oh|sorry|ok|okay)"
                           r"(?![A-Za-z]))(?:[A-Z][A-Za-z&'’.-]*[^\S\n]+){0,5}[A-Z][A-Za-z&'’.-]*(?:[^\S\n]+[a-z]+){0,2}"
                           r"[^\S\n]*,[^\S\n]*")
_FIRST_WORDS = re.compile(r"\S")
_TITLE = re.compile(r"(?i:mr|mrs|ms|miss|mx|dr|sir|madam)\.?[^\S\n]*$")
# A staff role or a hand-over right before a first name.
# Chinese staff roles that stand right before or after a colleague's English first name (教练Kevin, Amy 店长).
_ZH_ROLES = "教练|教練|导购|導購|店长|店長|客服|助教"
_STAFF_BEFORE = re.compile(r"(?:(?<![A-Za-z])(?i:agent|rep|advisor|adviser|csr|cs|tl|team leader|team lead|supervisor)"
                           r"[ (]{1,2}|(?<![A-Za-z])(?<!the )(?<!The )(?:Coach|coach|Instructor|instructor|Trainer|trainer) |"
                           r"(?:" + _ZH_ROLES + r")[ (]?|"
                           r"(?<![A-Za-z])(?i:transfer(?:red|ring)?|put|pass(?:ed|ing)?)(?: (?:you|this|it|the call|the case))? "
                           r"(?:to|through to|over to) |(?:transfer给|transfer 给) ?)$")
# ... after it, as its title (Kevin 教练), not as the one who told the customer something (我是David，客服让我…).
_ZH_STAFF_AFTER = re.compile(r"[^\S\n]?(?:" + _ZH_ROLES + r")(?![让讓说說叫告帮幫要给給请請跟])")
_TITLED = re.compile(r"(?i:mr|mrs|ms|miss|mx|dr)\.?[^\S\n]")
_GREETING = re.compile(r"(?i:thank(?:s| you) for (?:calling|contacting|holding|waiting|your patience|getting in touch)|"
                       r"how (?:can|may) i (?:help|assist)|what can i do for you|what can i help(?: you)? with|"
                       r"welcome to|you're through to|"
                       r"you are through to|you've reached|(?:you've|you have) called|i'll be (?:helping|assisting) you|"
                       r"(?:helping|assisting) you today)|很高兴为您服务|为您服务|有什么可以帮|请问有什么|欢迎致电|感谢致电|"
                       r"感谢您的来电|工号")
_TEAM_AFTER = re.compile(r"[^\S\n]*,[^\S\n]*your[^\S\n]+(?i:virtual |digital |ai |online )?assistant(?=[^\S\n]*[.!,]|"
                         r"[^\S\n]+(?:today|here|for)(?![A-Za-z]))|"  # I'm Ava, your virtual assistant.
                         r"[^\S\n]*(?:,[^\S\n]*)?(?:(?i:normally|usually)[^\S\n]+)?"  # normally at the Melbourne store
                         r"(?i:from|at|with|in)[^\S\n]+(?:the[^\S\n]+)?"
                         r"(?:(?:[A-Z][\w&'’.-]*|[\u4e00-\u9fff]{2,8})[^\S\n]*){0,3}(?:(?i:online)[^\S\n]+)?(?i:billing|support|customer|"
                         r"service|sales|accounts?|claims|tech|technical|it|help|care|team|front desk|reception|"
                         r"bookings?|reservations|returns|collections|fraud|the [a-z]+ team|store|branch|shop|showroom|office|depot)(?![A-Za-z])")
_SENTENCE = re.compile(r"[.!?。！？\n]")
# What may open a sentence before `it's <name>` said by staff (Hi, it's Sarah from...).
_OPENING = re.compile(r"[^\S\n]*(?i:(?:hi|hiya|hello|hey|g'day|good (?:morning|afternoon|evening)|morning|evening|yes|yeah|oh|"
                      r"sorry(?: for (?:the|your) (?:hold|wait))?|thanks(?: for (?:holding|waiting))?|thank you(?: for "
                      r"(?:holding|waiting))?|ok|okay)[ ,!]*)*[^\S\n]*")
# A greeting to a customer by title and surname, then the writer's name and firm: staff writing to a customer
# (Hi Mr Tan, it's Mei from DBS; Morning Mrs Leblanc, Dave from Ted's Plumbing here).
_TITLED_GREETING = re.compile(r"[^\S\n]*(?i:hi|hello|hey|dear|morning|good (?:morning|afternoon|evening)|g'day)[^\S\n]+"
                              r"(?i:mr|mrs|ms|miss|mx|dr)\.?[^\S\n]+[A-Z][A-Za-z'’-]+[,!][^\S\n]*(?i:it's|it is|this is)?[^\S\n]*")
_FROM_FIRM = re.compile(r"[^\S\n]+(?:from|at)[^\S\n]+[A-Z]")
# ... or after a plain greeting, at a firm (Hiya, it's Shauna at Tesco Mobile; not at 5 Main St, at the desk).
_AT_FIRM = re.compile(r"[^\S\n]+at[^\S\n]+[A-Z][A-Za-z&'’-]+(?:[^\S\n]+[A-Z][A-Za-z&'’-]+)*[^\S\n]*[.,!]")
# A name and its firm with `here` (Maisie from Octopus here!, Rhys here from BT Business): a message from staff.
_HERE_FIRM = re.compile(r"[^\S\n]+(?:(?i:here)[^\S\n]+from[^\S\n]+[A-Z]|from[^\S\n]+(?:[A-Z][\w&'’.-]*[^\S\n]+){1,4}"
                        r"(?i:here)(?![A-Za-z]))")
# What follows a firm's name when it answers the phone (Bunnings Alexandria, you're through to Nikhil).
_FIRM_ANSWERING = re.compile(r"[^\S\n]*,[^\S\n]*(?i:(?:you're|you are|youre) (?:through|speaking|talking|connected)|"
                             r"you've reached)")
# A Chinese name that runs on into a firm's name (户名是宁波远 + 景贸易有限公司, 诸葛 + 烤鱼店): the firm's, not a person's.
# (公司 right after a name is that person's firm: 李明公司的地址; nor may a word between be a particle, a
# pronoun, a verb or a title: 诸葛晓芸是我们公司的, 敖雪莹来公司, 易睿先生与公司.)
_FIRM_GAP = "(?:(?![是的了在来去回与和跟及或我你您他她它们说给到把被让向从对为先生女士小姐经理总老师有没不也都就还要会能请])[\\u4e00-\\u9fff])"
_ZH_FIRM_AFTER = re.compile(_FIRM_GAP + "{1,8}?(?:有限公司|公司|集团|商行|工作室|事务所)|" + _FIRM_GAP + "{0,6}?(?:贸易|科技|实业)"
                            "(?:有限)?公司|烤鱼|酒家|餐厅|饭店|超市|药房|诊所")
# A firm named after its owner: a name, 's and a trade (Ted's Plumbing, Rosa's Bakery, Mike's Auto Repairs).
_OWNER_FIRM = re.compile(r"['’]s[^\S\n]+(?:[A-Z][a-z]+[^\S\n]+)?(?:Plumbing|Electrical|Electrics|Garage|Bakery|Kitchen|Cafe|Café|"
                         r"Pizza|Pizzeria|Diner|Auto|Autos|Motors|Hardware|Pharmacy|Chemist|Salon|Barbers?|Florist|Removals|"
                         r"Cleaning|Landscaping|Roofing|Catering|Bar|Pub|Grill|Deli|Books|Toys|Pets|Tyres|Tires|Garden|Gardens|"
                         r"Flowers|Fish|Butchers?|Dental|Clinic|Cakes|Coffee|Tavern|Inn|Laundry|Locksmiths?|Repairs|Store|Shop|"
                         r"Emporium|Outlet|Boutique|Market|Supplies|Services|Transport|Taxis|Cabs|Couriers)(?![A-Za-z])")
# A name then what only staff have: an internal extension, a tier, the help they gave (Becky, ext 4471;
# Marcus (Tier 1); Rachel, who helped you today).
_STAFF_AFTER = re.compile(r"[^\S\n]*(?:,[^\S\n]*|\([^\S\n]*)(?i:ext\.?[^\S\n]*[0-9]|extension[^\S\n]*[0-9]|tier[^\S\n]*[0-9]|"
                          r"who (?:helped|assisted|served|looked after) you)")
_OTHER_FIRM = re.compile(r"^(?:[^\S\n]+[a-z]+)?[^\S\n]+(?:at|of|for)[^\S\n]+[A-Z]")


# Firms and brands named after people (Marks and Spencer, Jo Malone, Sainsbury's, Harvey Norman): a name
# inside one is the firm's. No library lists them; these are the retail, fashion, food and banking names
# support teams meet most, in English-speaking and Chinese-speaking markets.
_BRAND_NAMES = (
    "marks and spencer", "marks & spencer", "john lewis", "jo malone", "ted baker", "harvey norman", "harvey nichols",
    "ralph lauren", "tommy hilfiger", "calvin klein", "hugo boss", "louis vuitton", "michael kors", "kate spade",
    "tory burch", "paul smith", "jimmy choo", "vera wang", "estee lauder", "estée lauder", "giorgio armani",
    "tom ford", "christian dior", "yves saint laurent", "ben sherman", "fred perry", "sainsbury's", "sainsburys",
    "morrisons", "harrods", "selfridges", "debenhams", "currys", "nando's", "wendy's", "mcdonald's", "macy's",
    "kohl's", "dillard's", "trader joe's", "whittaker's", "cheung kong", "ben & jerry's", "ben and jerry's",
    "dr martens", "dr. martens", "fisher & paykel", "fisher and paykel", "david jones", "charles schwab",
    "wells fargo", "merrill lynch", "morgan stanley", "goldman sachs", "j.p. morgan", "jp morgan", "john deere",
    "william hill", "mary kay", "martha stewart", "jack daniel's", "johnnie walker", "kellogg's",
    "cadbury", "sam's club", "dunkin'", "arby's", "hardee's", "denny's", "chick-fil-a", "papa john's",
    "domino's", "carl's jr", "levi's", "lowe's", "walgreens", "dick's sporting goods", "jim beam", "tim hortons",
    "lee kum kee", "tesco", "bill & melinda gates", "bill and melinda gates", "dior", "alexa",
    # car makes, whose models read as a first name and a surname (a Skoda Octavia, a Toyota Camry)
    "skoda", "toyota", "honda", "nissan", "mazda", "subaru", "hyundai", "volkswagen", "chevrolet", "peugeot",
    "renault", "citroen", "citroën", "mitsubishi", "suzuki", "lexus", "land rover", "range rover", "vauxhall",
    # ... and models said alone that are first names too (SSA's list holds Camry)
    "camry", "corolla", "altima", "elantra",
)
# (Matched on a lower-cased window around each name found: a case-blind alternation over a whole message
# costs every message.)
_BRAND = re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(b) for b in sorted(_BRAND_NAMES, key=len, reverse=True))
                    + r")(?![a-z])")
_BRAND_WINDOW = 24  # characters either side of a name that a brand's other words may take


# A firm giving its own service point's address (我们公司售后服务中心在园区三号楼五层508室, 我哋維修中心喺八樓812室,
# our service centre is on Level 3): the firm's, not a customer's. (A customer's `our office at…` or 我们公司在…
# is the customer's firm, and stays.)
_OWN_PLACE = re.compile(
    r"(?<![A-Za-z])(?i:our)[^\S\n]+(?:[A-Za-z'-]+[^\S\n]+){0,3}(?i:store|shop|branch|centre|center|"
    r"hq|headquarters|showroom|clinic|desk|counter|service point)(?:[^\S\n]+(?i:is|are))?"
    r"[^\S\n]+(?i:on|at|in|located)[^\n.;]{0,24}$"
    r"|(?:我们|我們|我哋|我司|本公司|本店)[^\n，。,]{0,12}?(?:中心|门店|門店|总部|總部|HQ|营业厅|營業廳|网点|網點|店)"
    r"[^\n，。,]{0,6}?(?:在|喺|位于|位於)[^\n，。,]{0,24}$")


def own_addresses(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` less the ADDRESS matches that a firm gives as its own (_OWN_PLACE)."""
    return [m for m in chosen if labels[m.rank] != "ADDRESS"
            or _OWN_PLACE.search(text, max(0, m.start - 60), m.start) is None]


# A firm's own line: a number right after a word for a service line (hotline, 客服电话, 热线, customer care
# number, the one-eight-hundred number) with nothing between but `is`, `number`, a colon (`Our hotline is 1800 …`, `服务热线：021-…`), or right
# before `(local)`, `from overseas`, `at local rate`, `for all enquiries` with no word before it on its line
# that makes it someone's (`reach me on 07700 … from abroad` stays masked).
_OWN_LINE_BEFORE = re.compile(
    r"(?<![A-Za-z])(?i:hotline|helpline|help line|freephone|toll[- ]free|(?:customer|client) (?:service|services|care|"
    r"support)(?: (?:line|number|hotline|team))?|support (?:line|number)|service (?:line|number)|contact cent(?:re|er)|"
    r"call cent(?:re|er)|switchboard|(?:1[- ]?|one[- ])?(?:800|eight[- ]hundred)[- ]number,?)"
    r"(?:[^\S\n]*(?i:number|no\.?|line|is|was|:|on|at)(?![A-Za-z]))*[^\S\n]*[:：]?[^\S\n]*\Z"
    r"|(?:热线|熱線|客服电话|客服電話|服务电话|服務電話|客服专线|客服專線|服务专线|服務專線|总机|總機)"
    r"[^\S\n]*(?:电话|電話|号码|號碼|是|为|為)*[^\S\n]*[:：]?[^\S\n]*\Z")
_OWN_LINE_AFTER = re.compile(r"[^\S\n]*(?:\((?i:local|toll[- ]free|freephone)\)|(?i:from (?:overseas|abroad|outside)|at local rate|"
                             r"for (?:all )?(?:customer |general )?enquiries))")
# Words that make a number someone's: it is then never taken for the firm's.
_PERSONAL = re.compile(r"(?<![A-Za-z])(?i:my|mine|me|i|i'm|i've|you|your|yours|his|her|him|wife|husband|son|daughter|"
                       r"mum|mom|dad|mother|father|partner|friend|mobile|cell|home|personal|reach|gave|rang)(?![A-Za-z])|"
                       r"我|你|您|他|她|手机|手機|留|回拨|回撥")


def own_lines(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` less the PHONE matches that a firm gives as its own line (_OWN_LINE_BEFORE, _OWN_LINE_AFTER)."""
    out = []
    for m in chosen:
        if labels[m.rank] == "PHONE":
            line_start = text.rfind("\n", 0, m.start) + 1
            before = text[max(line_start, m.start - 48):m.start]
            if _OWN_LINE_BEFORE.search(before) or (_OWN_LINE_AFTER.match(text, m.end)
                                                   and not _PERSONAL.search(text, max(line_start, m.start - 60), m.start)):
                continue
        out.append(m)
    return out


def agent_names(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` less the PERSON matches that are staff introducing themselves, and other mentions of them;
    and less a firm's name opening a staff greeting (`Emerald Energy, Ciara speaking`)."""
    if not any(labels[m.rank] == "PERSON" for m in chosen):
        return list(chosen)
    aliases: set[str] = set()
    dropped = set()
    for i, m in enumerate(chosen):
        if labels[m.rank] == "PERSON" and (_in_brand(text, m.start, m.end) or _OWNER_FIRM.match(text, m.end) or (
                text[m.end - 1:m.end] in CJK_CHARS and _ZH_FIRM_AFTER.match(text, m.end))):
            dropped.add(i)  # Jo Malone, the Spencer of Marks and Spencer, 宁波远 of 宁波远景贸易有限公司: a firm
            continue
        if labels[m.rank] != "PERSON" or _TITLED.match(text, m.start) or _TITLE.search(text, max(0, m.start - 6), m.start):
            continue  # Mr Jones: staff give no title to themselves
        if (_STAFF_BEFORE.search(text, max(0, m.start - 24), m.start) or _ZH_STAFF_AFTER.match(text, m.end)) \
                and len(text[m.start:m.end].split()) == 1 and text[m.start:m.end].isascii():
            dropped.add(i)  # Agent Zoe, agent (Ravi), transfer you to Anika, 转给 Kevin: a colleague
            aliases.add(text[m.start:m.end].lower())
            continue
        if _FIRM_ANSWERING.match(text, m.end) and _OPENING.fullmatch(text[text.rfind("\n", 0, m.start) + 1:m.start]):
            dropped.add(i)  # Hi, Bunnings Alexandria, you're through to Nikhil: the firm answering
            continue
        if _FIRM_GREETING.match(text, m.end):
            dropped.add(i)  # Maple Ridge Credit Union, Étienne speaking: the firm answering the phone
            continue
        if _staff_intro(text, m.start, m.end):
            dropped.add(i)
            aliases.add(text[m.start:m.end].split()[0].lower())
    if not dropped:
        return list(chosen)
    return [m for i, m in enumerate(chosen) if i not in dropped and not (
        labels[m.rank] == "PERSON" and _bare_mention(text[m.start:m.end], aliases))]


def _in_brand(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies in a brand's name (_BRAND_NAMES)."""
    lo = max(0, start - _BRAND_WINDOW)
    window = text[lo:end + _BRAND_WINDOW].lower()
    if len(window) != min(len(text), end + _BRAND_WINDOW) - lo:
        return False  # a letter whose lower case is longer: offsets would move
    return any(b.start() < end - lo and start - lo < b.end() for b in _BRAND.finditer(window))


def _staff_intro(text: str, start: int, end: int) -> bool:
    """Whether the name at text[start:end] is staff introducing themselves (module docstring)."""
    intro = _INTRO.search(text, max(0, start - 30), start)
    after = _AFTER_INTRO.match(text, end)
    if _STAFF_AFTER.match(text, end):
        return True  # Becky, ext 4471: a colleague
    if _HERE_FIRM.match(text, end):
        before = _SENTENCE.split(text[max(0, start - 80):start])[-1]
        if _OPENING.fullmatch(before) or _TITLED_GREETING.fullmatch(before):
            return True  # Maisie from Octopus here!, Morning Mrs Leblanc, Dave from Ted's Plumbing here
    if intro is None and after is None:
        return False  # no introduction (most names): nothing more to read
    line_start = text.rfind("\n", 0, start) + 1
    label = _LABEL.match(text, line_start)
    role = label.group(1).strip().lower() if label is not None and label.end() <= start else None
    if role in _CUSTOMER:
        return False  # Caller: hi, this is Maria: a customer
    staff = role in _STAFF
    sentence = _SENTENCE.split(text[max(line_start, start - 200):start])[-1]
    if role is not None:
        sentence = sentence.split(":", 1)[-1] if sentence.lstrip().startswith(label.group(1).strip()) else sentence
    if intro is not None and _ONLY_STAFF_SAY.match(intro.group()):
        return True  # you're speaking with Dee, you've reached Mitch
    if after is not None and intro is None and (after.group(1).lower() == "speaking"
                                                or after.group(1).lower() == "this side" and staff):
        return True  # Ciara speaking
    if intro is not None:
        opening = _SENTENCE.split(text[max(line_start, intro.start() - 200):intro.start()])[-1]
        if role is not None:
            opening = opening.split(":", 1)[-1]
        if _TITLED_GREETING.fullmatch(opening) and _FROM_FIRM.match(text, end):
            return True  # Hi Mr Tan, it's Mei from DBS
        if _OPENING.fullmatch(opening) and intro.group().lower().startswith("it") and _AT_FIRM.match(text, end):
            return True  # Hiya, it's Shauna at Tesco Mobile
        if intro.group().lower().startswith("it") and not _OPENING.fullmatch(opening):
            return False  # and it's Aroha Ngata on the card?: the agent reads the customer's name back
    else:
        opening = sentence
        if not (_OPENING.fullmatch(opening.rstrip(", ")) or opening.rstrip().endswith(",")):
            return False  # a note from Maria here: someone else
    if staff:
        return True
    if role is None and label is not None and label.end() <= start:
        return False
    after_sentence = _SENTENCE.split(text[end:end + 80])[0]
    team = _TEAM_AFTER.match(text, end)
    if team is not None and _OTHER_FIRM.search(text[team.end():team.end() + 24]):
        team = None  # May from the accounts team at Hope Street Dental: a customer's firm
    if _GREETING.search(sentence) or _ONLY_STAFF_SAY.search(sentence) or _GREETING.search(after_sentence) or team:
        return True
    # The first line, after the firm's name (National Passport Information Center, this is Ray).
    return (line_start == _first_line(text) and (intro is None or intro.group().isascii())
            and _FIRM_OPENING.fullmatch(opening) is not None)


def _first_line(text: str) -> int:
    """Where the first line with words starts."""
    m = _FIRST_WORDS.search(text)
    return text.rfind("\n", 0, m.start()) + 1 if m else 0


_GREETED = ("hi", "hello", "hey", "thanks", "thank you", "cheers", "dear", "ok", "okay")


def _bare_mention(value: str, aliases: set[str]) -> bool:
    """The alias alone or after a greeting (`Hi Claire`), not someone's full name."""
    low = value.lower().strip(" ,.!?")
    for word in _GREETED:
        if low.startswith(word + " ") or low.startswith(word + ", "):
            low = low[len(word):].strip(" ,")
            break
    return low in aliases
