"""Staff introducing themselves are not the customer (redaction.agents; issue 12: agents' own aliases are
false positives), and the turns of a transcript are not form fields. Every row is written for this file."""

from __future__ import annotations

import pytest

from tests.support.redaction import names


AGENTS = [
    # a staff role's line, after a self-introduction; the customer's mention of the alias goes too
    ("Agent: Thank you for calling, you're through to Megan, how can I help?\nCustomer: Hi Megan, it's Rhys Vaughan",
     ["Rhys Vaughan"]),
    ("[00:00:02] Rep: Good morning, pharmacy, you're speaking with Colette\n[00:00:05] Caller: Hi Colette, "
     "I'm ringing for my mum, Agnes Whitlow", ["Agnes Whitlow"]),
    ("Agent: My name's Anjali, agent ID four four one two. Can I take your name?\nCaller: Bogdan Petrescu",
     ["Bogdan Petrescu"]),
    # no label: the greeting or the team says it is staff
    ("Hi, this is Imran from billing. I can see two charges on your card.", []),
    ("Thank you for contacting Northgate Energy, my name is Delphine, how may I help you today?", []),
    ("坐席：您好，广发银行客服中心，我是周晓梅，工号3071很高兴为您服务\n客户：你好，我叫郑国栋", ["郑国栋"]),
    # the firm answering, the one who answers speaking; what only staff say
    ("A: Emerald Gasworks, Ciara speaking\nB: hello, it's Nuala Byrne, a meter reading", ["Nuala Byrne"]),
    ("Advisor: Maple Ridge Credit Union, Étienne speaking, how can I help?\nMember: I moved", []),
    ("A: Cellnet, good afternoon, you're speaking to Zanele\nB: hi Zanele, my fibre is off", []),
    ("Wattle Bank term deposits, Josh speaking hi, Piotr Kowalski here, what's the rate", ["Piotr Kowalski"]),
    # the first line after the firm's name, whatever the speakers are called
    ("Speaker 1: National Passport Information Center, this is Raymond. Your locator?\nSpeaker 2: I have it", []),
    ("Speaker A: Lakeview Health scheduling, I'm Priscilla\nSpeaker B: hi, I need to reschedule", []),
    ("agent good evening you are connected to Nexa Telecom, my name is Faisal\ncaller I lost my phone", []),
    # a staff role right before a first name; a hand-over to a colleague
    ("Agent Zoe：您好，your Apple Watch 的 replacement 已经 ship 出去了", []),
    ("Agent (Ravi): and the error on the console?\nCustomer: 0x87E10007", []),
    ("I'm going to transfer you to Anika in the complaints team now, Fergal Delaney.", ["Fergal Delaney"]),
    # the firm with `here`, a greeting by title, a tier or an extension, help given: staff
    ("Tamsin from Octopus here! Your rate at 4pm hit forty-eight p per kWh.", []),
    ("Hi Mr Tan, it's Mei from DBS. Your new card arrives in five working days.", []),
    ("Hiya, it's Shauna at Tesco Mobile, you've called the top-up line.", []),
    ("Hiya, it's Keeley at Vodafone. Your PUK is on its way.", []),
    # where staff usually work, between the name and the team (round 10)
    ("Hi, I'm Alex, normally at the Melbourne store, covering the phones today.", []),
    # ... but a customer saying where they are or work, or that staff told them something, is not staff
    ("Hi I'm Kevin, currently in the Perth office of my employer, need to update my card", ["Kevin"]),
    ("Hi, I'm Tom, working at the Coles store in Parramatta, my payslip deposit is missing.", ["Tom"]),
    ("Hi, I'm Laura Bennett, your assistant said I should email about my refund.", ["Laura Bennett"]),
    ("你好我是David客服让我联系你们退款", ["David"]),
    ("We took the coach Megan booked for us", ["Megan"]),
    ("Caller: hi I'm Marisol, usually at home on weekdays", ["Marisol"]),  # no team after it: the customer
    # a gym's coach, a chat bot: staff too
    ("Instructor: Morning all, Coach Kevin here. Forty-five minutes today.", []),
    ("会员：教练Kevin今天不来吗？我是会员林嘉怡\n教练：Kevin调到国贸店了", ["林嘉怡"]),
    ("经理：Kevin 教练下周 on leave，spin class 照常", []),
    ("Hi! I'm Ava, your virtual assistant. What can I help with today?", []),
    ("Member: my coach is great, I'm Priyanka Menon by the way", ["Priyanka Menon"]),
    ("Hi, it's Keeley at 5 Main Street, the parcel never came", ["Keeley"]),  # at an address: a customer
    ("Sorry for the hold, it's Keeley at Vodafone. The tracker is base rate.", []),
    ("Agent: Shubh Motor Insurance, good afternoon, Deepa this side\nCaller: I want to renew", []),
    ("Hi, Rahul this side, my order has not come", ["Rahul"]),  # `this side` from a customer
    ("[Agent] Hi, I'm Aoife from Eir, I'll be helping you today.", []),
    ("Escalate to the TL on duty (tonight: Becky, ext 4471).", []),
    ("Call summary / Agent: Marcus (Tier 1) / Outcome: fee quoted", []),
    ("How would you rate Rachel, who helped you today? Reply 1 to 5.", []),
    ("Good evening, this is Ryo from Uniqlo online customer service.", []),
    ("Hi, Bunnings Alexandria, you're through to Nikhil on the trade desk.", []),
    ("坐席：您好，這裡是台灣大哥大，我是專員陳俊宏，員工編號五五零三", []),
    ("坐席：陳生你好，我係滙豐嘅客戶經理 Natalie，想同你講下你個戶口", []),
    ("Any question 找 Team Lead Vivian。", []),
    # a firm or brand named after people, or after its owner; a car's make and model
    ("The Toyota Corolla you reserved has been upgraded to a Skoda Octavia estate.", []),
    ("Morning, Dave from Ted's Plumbing here - the van's twenty minutes out.", []),
    ("Callback request: Sandra Bianchi, re the Jo Malone order without its gift message", ["Sandra Bianchi"]),
    ("老板说 Marks and Spencer 那批 cashmere 毛衣 return rate 太高了", []),
    ("他说 Sainsbury's 的 Nectar points 还没 credit 进去", []),
]


@pytest.mark.parametrize("text,expected", AGENTS, ids=[t[:40] for t, _ in AGENTS])
def test_staff_introductions_are_not_customers(text, expected):
    assert names(text) == expected


CUSTOMERS = [
    # a customer introducing themselves is a customer
    ("Caller: hi, this is Rosalind Mbeki, I need help with my bill", ["Rosalind Mbeki"]),
    ("Hi, this is Rosalind Mbeki", ["Rosalind Mbeki"]),
    # staff reading the customer's name back is no introduction
    ("Agent: Lovely, and it's Tamsin Orr on the card?\nCustomer: Yep", ["Tamsin Orr"]),
    # a note from someone on a staff line is no introduction
    ("Caller: I spoke with Rosalind Mbeki yesterday\nAgent: I do see a note from Rosalind here, one moment",
     ["Rosalind Mbeki", "Rosalind"]),
    # a customer's greeting is no firm; a customer's own name in Chinese chat
    ("Hello, this is Ahmed Al-Farsi, booking ref QX7P2M, I need to add a bag", ["Ahmed Al-Farsi"]),
    ("快递到了 front desk，签收人写的是 Jason Lau，不是我，我是 Vivian Ho。", ["Jason Lau", "Vivian Ho"]),
    ("Customer: Ciara speaking, who's this?", ["Ciara"]),
    # a brand's name is no cover for a person's
    ("I spoke with Spencer Jones about it", ["Spencer Jones"]),
    ("交给 费雯 就行了，她电话 15658832097", ["费雯"]),
    # someone from another firm's team is a customer
    ("I'm Ottilie from the accounts team at Kestrel Dental, we ordered 40 chairs", ["Ottilie"]),
    ("Hi, this is Anna Kowalski from Acme Ltd, we ordered 40 chairs", ["Anna Kowalski"]),
    ("Hiya, it's Shauna Murphy. I need to cancel my order", ["Shauna Murphy"]),
    ("Caller: Maria Lopez, this is about my bill", ["Maria Lopez"]),
    ("客户：我是陈俊宏，想查账单", ["陈俊宏"]),
    ("Morning, it's Shauna Murphy, order 5521 never came", ["Shauna Murphy"]),
]


@pytest.mark.parametrize("text,expected", CUSTOMERS, ids=[t[:40] for t, _ in CUSTOMERS])
def test_customers_introducing_themselves_stay(text, expected):
    assert names(text) == expected


TURNS = [
    # a speaker's label opening a turn is no name field, and a turn's first word no name
    ("Receptionist: and your date of birth?\nPatient: That's me, yes", []),
    ("Patient: Erm, eight seven eight, three eight four", []),
    ("Customer: So I was stopped at the lights", []),
    ("Customer: Oh sorry, can you leave it next door", []),
    ("Customer: Ma'am, my order number is wrong", []),
    # ... while a form's field, a name after a label and a two-word answer stay names
    ("Name: Priya Raman\nPatient: Mohan Raman", ["Priya Raman", "Mohan Raman"]),
    ("Customer: Grace", ["Grace"]),
    # a word that spells a Chinese character is no name; the name and its spelling are one span
    ("客户：刘建国，刘备的刘，建设的建，国家的国", ["刘建国，刘备的刘，建设的建，国家的国"]),
    # British spellings and possessives are words, not names
    ("Neighbour has it.", []),
    ("My Mastercard was charged three times", []),
]


@pytest.mark.parametrize("text,expected", TURNS, ids=[t[:40] for t, _ in TURNS])
def test_transcript_turns(text, expected):
    assert names(text) == expected
