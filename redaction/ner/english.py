"""English and pinyin person names without a cue word, from public-domain name lists and capitalisation.

A candidate is two or three capitalised words (`Maria Gonzalez`, `Mary Ann Smith`, `ZHANG Wei`) whose
first word is a first name of the US Census 1990 lists and whose last word a surname of the same census
(frequency >= 0.001 %), or a Chinese surname in pinyin followed by one or two pinyin syllables
(`Zhang Wei`, `Wang Xiaoming`, `ZHANG wei`). Words that are far more often ordinary English words than
names (`May`, `Will`, `Grant`...) and words of product, place and company names are never the first or
last word. No list built from leaked data is used (see README, Redaction).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from ..normalise import strip_accents
from .cued import ASKED_NAME, FILLER, LINE_START
from .korean import korean_names
from .vietnamese import vietnamese_names
from .spoken import NATO

_DATA = Path(__file__).resolve().parent.parent / "data"

# Chinese surnames in Hanyu Pinyin (the frequent ones) and Wade-Giles/Cantonese spellings seen in names.
PINYIN_SURNAMES = frozenset((
    "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie song "
    "tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu ding ren shen "
    "yao jiang cui zhong tan lu fan wang jin shi jia xia qiu fu fang hou zou xiong meng qin bai mao hao gong "
    "shao wan qian yan lai qin kong tao yin duan lei hao long shi kang mo niu ge xing qiao pang ni zhuang nie "
    "zhai yue bao yin gu ouyang situ zhuge shangguan murong sima "
    "chan cheung chow lau leung wong ng tsang kwok yeung chiu chang hsu tsai lee"
).split())
# Hong Kong surnames as the Immigration Department romanises them (Cantonese), and a Cantonese syllable.
HK_SURNAMES = frozenset((
    "chan cheung chow lau leung wong ng tsang kwok yeung chiu lee li ho lam tang fung lo mak yip tse chu kwan "
    "tam yu siu ma poon so au choi tong yuen kong law wu hui ko tsui fong lai cheng chung wan pang chau lui "
    "shek mok ip lok koo tsoi kwong hung chong to sze luk cheuk chiang chin fok hon kam lin liu mui ngai "
    "sit sun tai tin tsai wai woo yau yim yiu szeto seto auyeung yung kan tung"
).split())
_HK_SYLLABLE = re.compile(r"tsz|sze|sz|(?:ch|ts|tsz|sz|kw|gw|ng|sh|[bcdfghjklmnpstwy])?(?:[aeiou]{1,3}|yu|y)(?:ng|n|m|k|p|t)?")
_HK_NAME = re.compile(r"(?<![A-Za-z0-9@#_.'-])([A-Z][a-z]{1,5}|[A-Z]{2,6}) ([A-Z][a-z]{0,4}|[A-Z]{1,5})(?:-|(?= [A-Z]) )"
                      r"([A-Za-z][a-z]{0,4}|[A-Z]{1,5})(?![A-Za-z0-9_@'-])")
# A pinyin name in capitals, as a passport prints it (ZHOU XINYI, SONG YUTONG), in a text that is not shouted.
_PINYIN_CAPS = re.compile(r"(?<![A-Za-z0-9@#_.'-])([A-Z]{1,6}) ([A-Z]{2,12})(?![A-Za-z0-9_@'-])")
# Pinyin syllables (without tones), the building blocks of a given name.
_INITIALS = "b p m f d t n l g k h j q x zh ch sh r z c s y w".split()
_FINALS = ("a o e i u v ai ei ao ou an en ang eng ong ia ie iao iu ian in iang ing iong ua uo uai ui uan un uang "
           "ue van vn er").split()
_SYLLABLE = "(?:" + "|".join(sorted(_INITIALS, key=len, reverse=True)) + ")?(?:" + "|".join(
    sorted(_FINALS, key=len, reverse=True)) + ")"
_PINYIN_GIVEN = re.compile(f"(?:{_SYLLABLE}){{1,2}}")
# A Chinese name in lower-case pinyin with no cue (`i talked to wang xiaoming`): a surname that is no English
# word and a given name of two syllables written as one word that is no English word either. A one-syllable
# given name (`li na`) is left to the cues: too many pairs of syllables are words or chat.
_PINYIN_PAIR_LOWER = re.compile(r"(?<![A-Za-z0-9@#_.'/-])([a-z]{1,6})(?= ([a-z]{4,12})(?![A-Za-z0-9_@'/-]))")
_TWO_SYLLABLES = re.compile(f"(?:{_SYLLABLE}){{2}}")
_PINYIN_WORDS = frozenset("he fan long pan song sun tan ma mo ye wan ding gong chow bai han lu fu".split())
# Common English words that are also census first names or surnames: never a name's first or last word
# without a cue (the rules in detectors/names.py still take them after one).
_COMMON = frozenset((
    "may june april august will grant bill mark rose hope faith joy grace iris ivy lily daisy ruby pearl "
    "mbps kbps gbps mon tue tues wed thu thur thurs fri sat sun "
    "crystal amber summer autumn dawn sky star max guy king rich young long white black brown green gray "
    "grey little love hill wood woods field fields rivers lake park parks street lane banks price cash "
    "cook baker miller carter hunter taylor turner walker mason porter page chase lane storm north south "
    "west east day week early light bright sharp strong best good gold silver new major justice "
    "christian man pat sue don ken ray dean art tim ben jack bob gene joy so see son wing thank happy "
    "china chinese english french german american asia europe london paris york united states city "
    "washington lincoln jackson jefferson madison franklin hamilton washington clinton houston dallas austin "
    "charlotte denver phoenix orlando florence beverly victoria georgia carolina virginia "
    "dakota nevada lincoln holiday inn hotel marriott hilton hyatt sheraton motel suite apple google amazon "
    "tesla ford dell chase morgan wells fargo visa master express delta southwest spirit frontier sun "
    "monday tuesday wednesday thursday friday saturday sunday january february march september october "
    "november december christmas easter god lord jesus mom dad sir madam miss mister dear hi hello "
    "happy dear team customer service support order account card please thanks thank you "
    "in my an so on at to the and or no yes ok de la le van von del jan feb mar apr jun jul aug sep sept "
    "oct nov dec america israel karma los las les mi el du des di da time cookie candy honey sugar "
    # words web2 (1934) lacks, which open form fields and messages: `Email is …`, `Fax: …`
    "email e-mail fax tel website web online login username password wifi app zip postcode "
    # other languages' words for a phone or a number, which open such messages (`Meine Telefonnummer ist …`)
    "telefon telefonnummer handy handynummer rufnummer nummer téléphone numéro teléfono telefono número "
    "cellulare celular móvil "
    # nationalities and languages, which follow `it's` as a name does (`S I O B H A N, it's Irish`)
    "irish scottish welsh british spanish italian japanese korean indian mexican canadian australian "
    "russian polish dutch swedish danish norwegian finnish portuguese brazilian greek turkish arabic "
    "hindi urdu vietnamese thai filipino african european asian latin cantonese mandarin hebrew persian"
).split())
# Common words of _COMMON that the census lists as first names but that open a place, a firm or a date
# far more often than a name (Chase Bank, Florence Italy, May 2024).
_NOT_FIRST_COMMON = frozenset((
    "may june april august chase delta sky star king rich young long white black brown green gray grey "
    "little love hill wood field lake park price cash north south west east day early light bright "
    "strong best good gold silver new major justice christian china america israel georgia carolina "
    "virginia dakota nevada florence charlotte phoenix orlando denver dallas austin houston washington "
    "lincoln jackson jefferson madison franklin hamilton clinton victoria beverly paris london holiday "
    "ford dell tesla apple amazon google visa morgan wells fargo frontier spirit sun summer autumn"
).split())
# Common words that the census lists as surnames but that end a title, a season or a phrase far more
# often than a name (Happy Christmas, Grand Cash, Amy Day).
_NOT_LAST_COMMON = frozenset((
    "day week time christmas easter holiday inn hotel suite city states team service support order account "
    "card please thanks thank you love hope faith joy grace star sky sun summer autumn dawn justice"
).split())
# Words before a capitalised pair that make it part of a place, a street or a title (San Felipe Ortega
# Road, Sir Edwin Parker Boulevard, The Duchess Mabel), and words after it that make it a place.
_PLACE_BEFORE = frozenset("san santa santo sao st saint sir fort mount mt lake port cite vila villa "
                          "princess prince king queen lady lord duke duchess the ft rua la las los el le "
                          # Malay roads and estates (Jalan Alor, Taman Melati)
                          "jalan jln lorong persiaran lebuh lebuhraya taman tmn kampung kampong".split())
_PLACE_AFTER = frozenset((
    "road rd street st avenue ave boulevard blvd lane ln drive dr way court ct place pl plaza square "
    "parkway pkwy highway hwy terrace circle cir trail apartments apartment apts house hall tower towers "
    "building center centre park garden gardens creek valley river bridge dam airport station hotel inn "
    "international university college school hospital clinic church museum theatre theater library "
    "mall market restaurant cafe bar club stadium arena inc llc ltd corp co gmbh plc incorporated group holiday "
    "foundation institute trust charity memorial"
).split())
# A record's first line before its street: the surname may be any word but these (english.py, _HEAD).
_NOT_RECORD_SURNAME = _COMMON | _PLACE_AFTER
# A single capitalised first name after one of these words is someone (a table for Maria, send it to
# Oscar, share it with Ivy, Hi Linda): lower case, the word right before the name.
_SINGLE_CUE = re.compile(
    r"(?:^|[^A-Za-z])(?:to|with|for|send|sending|paying|pay|call|calling|text|texting|email|ask|"
    r"contact|tell|told|met|meet|named|called|hi|hey|hello|dear|thanks|love|miss|visit|visiting|"
    r"recipient|receiver|of|and|by|is|am|me|thank you|name's|name is|friend|aunt|uncle|cousin|brother|sister|"
    r"grandma|grandpa|chef|coach|officer|captain|nephew|niece|from|request) $", re.I)
# ... or after a lower-case word, mid-sentence (a capitalised word there is a proper noun; a census
# first name there is most often a person): `I met Yolanda`, `happy to see Ryan`.
_LOWER_BEFORE = re.compile(r"(?<![A-Za-z'])[a-z][a-z']*,? $")
# ... or opening a sentence, followed by a verb or a comma: `Helen, please...`, `Helen is...`.
_VERB_AFTER = re.compile(r" ?,(?! ?[A-Z]{2}(?![A-Za-z]))| (?:is|was|has|had|said|says|will|would|can|could|and|got|says|wants|called|"
                         r"lives|works|knows|told|asked|shouted|spent|went|gave|laughs|did|does|loves|likes|thinks|"
                         r"went|came|comes|left|sent|needs|scored|scores|made|makes|keeps|kept|continues|"
                         r"tells|texted|replied|wrote|writes|just|never|always|really)(?![A-Za-z])")
_VERB_ONLY = re.compile(r" (?:is (?!a |an |the |\d)|was (?!a |an |the |\d)|has|had|did|said|says|wants|lives|works|knows|told|asked|"
                        r"shouted|spent|will (?!be )|gave|laughs|loves|replied|texted|wrote|"
                        r"will be|can't|won't|is n't)")
_SINGLE = re.compile(r"(?<![A-Za-z0-9@#_.'À-ÿ-])[A-Z][a-z]{2,}(?![A-Za-z0-9_@'À-ÿ-])")
# ... or opening a message addressed to someone: `Jakobine, can I speak to your boss?`
_ADDRESSED = re.compile(r" ?, (?i:can|could|would|will|please|i|you|we|do|did|are|is|have|thanks|thank)(?![A-Za-z])")
# Words web2 (1934) lacks that open a sentence as often as a name does: `Okay, I …`, `Yeah, can you …`.
_INTERJECTIONS = frozenset("okay yeah yep yup nope nah hey hiya hmm umm lol omg btw alright thx pls plz "
                           "awesome cheers sorry anyway anyways so oh erm um uh er ah ahh ma yes well mm hm mhm "
                           "right also actually basically honestly listen look namaste kia ora eish aloha gidday "
                           "howzit".split())
# Words that report speech: what follows them and ends the clause is the speaker (`…," says Eklund.`).
_SPEECH = frozenset("says said asks asked added adds replied replies explained explains wrote writes "
                    "tweeted noted notes recalled recalls".split())


GCIDE_SHA256 = "aae43a2bf41aa94e6abc22842b35b1b87d17eaef2d8f0eaed0336648529a5770"
WEB2_SHA256 = "3f79c350e72dba410b8f2432ada34415f46bed9b0e5e36d431aa3068b5619b0c"


def _word_list(name: str, sha256: str) -> set[str]:
    """One of english-words 2.0.2's pickled word lists, checked before it is unpickled."""
    import hashlib
    import pickle

    import english_words

    data = (Path(english_words.__file__).resolve().parent / "data" / name).read_bytes()
    # A pickle runs code when loaded: only the very file english-words 2.0.2 ships is ever unpickled.
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"{name} word list changed")
    return pickle.loads(data)


@lru_cache(maxsize=1)
def _web2() -> tuple[frozenset[str], frozenset[str]]:
    """(every word, lower case; the words web2 lists only capitalised, lower case)."""
    words = _word_list("web2.pickle", WEB2_SHA256)
    lower = frozenset(w for w in words if w[:1].islower())
    return frozenset(w.lower() for w in words), frozenset(w.lower() for w in words if w[:1].isupper()) - lower


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """GCIDE's words (the GNU Collaborative International Dictionary of English, as shipped lower-cased by
    english-words 2.0.2; 114,769 words): a smaller, more current dictionary than web2, so a web2 word it
    lacks (lohan, rocher) is an obscure one that reads as a surname after a first name."""
    return frozenset(_word_list("gcide_lower.pickle", GCIDE_SHA256))


# Inflections a dictionary of base forms leaves out (cuts, boxes, parties, walked, painting, bigger, sadly).
INFLECTIONS = (("s", ""), ("es", ""), ("ies", "y"), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
               ("er", ""), ("ers", ""), ("ly", ""))
# ... and GCIDE's further derivations (vacationer, fearlessness, happily, creation, careful).
_DERIVATIONS = (*INFLECTIONS, ("er", "e"), ("ness", ""), ("ily", "y"), ("ation", "ate"), ("ful", ""))


def listed(low: str, words: frozenset[str], endings=INFLECTIONS, min_stem: int = 0) -> bool:
    """`low` (lower case) or, less one of `endings`, its stem of `min_stem` letters or more is in `words`."""
    return low in words or any(low.endswith(end) and len(low) - len(end) >= min_stem and low[: -len(end)] + repl in words
                               for end, repl in endings)


def dictionary() -> frozenset[str]:
    """Every word of Webster's 2nd International (web2, public domain, as shipped by english-words
    2.0.2), lower case, proper nouns included: a capitalised word NOT in it (Xiaoxue, Wilmsen) is most
    likely a name; one in it (Paris, Verona, Apple) may be anything."""
    return _web2()[0]


def proper_nouns() -> frozenset[str]:
    """The words web2 lists only capitalised (Srinivas, Mahmoud, but also Paris, Texas), lower case:
    a person in a slot that holds a person (`send $40 to Srinivas`), anything elsewhere."""
    return _web2()[1]


@lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, surnames), lower case, from redaction/data (OSError if a file is missing)."""
    def read(name: str) -> frozenset[str]:
        with open(_DATA / name, encoding="utf-8") as f:
            return frozenset(w for w in (line.strip() for line in f) if w and not w.startswith("#"))
    return read("census_first_names.txt"), read("census_surnames.txt")


@lru_cache(maxsize=1)
def more_first_names() -> frozenset[str]:
    """Moby Word II's first names (public domain), lower case: names of English-speaking countries the 1990
    census lists miss (Liam, Linus). The list also holds surnames and words (Davis, Bond), so the recognizer
    takes only those on neither the census surname list nor web2's list of lower-case words."""
    names: set[str] = set()
    for file in ("moby_first_names.txt", "ssa_first_names.txt"):
        with open(_DATA / file, encoding="utf-8") as f:
            names.update(w for w in (line.strip() for line in f) if w and not w.startswith("#"))
    return frozenset(names)


@lru_cache(maxsize=1)
def common_first_names(top: int = 1000) -> frozenset[str]:
    """The census first names among the `top` most frequent (the file keeps its frequency order): a
    country of that name (Chad, Jordan, Israel) is a person as often as a place."""
    with open(_DATA / "census_first_names.txt", encoding="utf-8") as f:
        names = [w for w in (line.strip() for line in f) if w and not w.startswith("#")]
    return frozenset(names[:top])


_LOCALE_ENGLISH = re.compile(r"^\s*'[A-Z0-9]{2,3}': \{'aa':(?:'((?:[^'\\]|\\.)*)'|u\('((?:[^'\\]|\\.)*)'\))", re.M)


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    """Countries' English names, lower case, from libphonenumber's region names (`phonenumbers`, already
    pinned for the phone rules; Apache-2.0): `poland`, `france`, `bosnia and herzegovina`."""
    # Read from the module's source, not imported: importing its table of every region's name in every
    # language costs about 100 MB for the 250 English names needed here.
    import phonenumbers

    source = (Path(phonenumbers.__file__).resolve().parent / "geodata" / "locale.py").read_text(encoding="utf-8")
    names = set()
    for m in _LOCALE_ENGLISH.finditer(source):
        raw = m.group(1) if m.group(1) is not None else m.group(2)
        name = raw.encode("ascii", "backslashreplace").decode("unicode_escape")
        if name and not name.startswith("*"):
            names.add(" ".join(name.lower().split()))
    if len(names) < 200:  # the file's layout changed: fail loudly rather than filter nothing
        raise ValueError("libphonenumber's region names could not be read")
    return frozenset(names)


@lru_cache(maxsize=1)
def rare_surnames() -> frozenset[str]:
    """The census surnames of frequency < 0.001 % (Laaksonen, Kachru): many are also English words or
    places, so one counts only when it is on no list of English words."""
    with open(_DATA / "census_surnames_rare.txt", encoding="utf-8") as f:
        return frozenset(w for w in (line.strip() for line in f) if w and not w.startswith("#"))


# Two or three words, each capitalised (Maria, McDonald, O'Brien, Smith-Jones) or all capitals (ZHANG).
# Latin-1 and Latin Extended-A letters too (Åsa, Øberg, Łukasz); the lists are looked up without accents.
_UP = "A-ZÀ-ÖØ-ÞĀ-ſ"
_LOW = "a-zß-öø-ÿĀ-ſ"
_WORD = rf"(?:[{_UP}][{_LOW}]+(?:(?:'|-)[{_UP}][{_LOW}]+)?|[{_UP}]'[{_UP}][{_LOW}]+|[{_UP}][{_LOW}]?[{_UP}][{_LOW}]+|[{_UP}]{{2,}})"
_PART = re.compile(r"['-]")


def _name_cased(word: str) -> bool:
    """Written as a name is: each part capitalised, the rest lower case (Smith, Al-Farsi, O'Brien)."""
    return all(part[1:].islower() or not part[1:] for part in _PART.split(word) if part)
# The name ends before a letter of any Latin script (Ström is one word) or an apostrophe, except the
# possessive `'s` (John Smith's book).
_NAME_END = rf"(?![A-Za-z0-9_@{_UP}{_LOW}-]|'(?!s(?![A-Za-z])))"
_CANDIDATE = re.compile(rf"(?<![A-Za-z0-9@#_.'{_UP}{_LOW}-]){_WORD}(?: (?:[A-Z]\.? )?{_WORD}){{1,2}}{_NAME_END}")
# Pinyin given names are often written lower case after an upper-case surname (ZHANG wei).
_PINYIN_LOWER = re.compile(r"(?<![A-Za-z0-9@#_.'-])([A-Z]{2,}|[A-Z][a-z]+) ([a-z]+)(?![A-Za-z0-9_@'-])")


def _plain(word: str) -> str:
    """The word without accents (åsa -> asa)."""
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


# Relatives and others named right after `my` (my mother, Linda Park).
_KIN = ("mother|mom|mum|father|dad|husband|wife|son|daughter|partner|neighbou?r|grandmother|grandfather|"
        "girlfriend|boyfriend|nephew|niece|kid|child|baby")
# Slots that hold a person in booking, payment and support dialogue: what follows is a name even when
# it is on no list, so long as it is no dictionary word (`a table under Okonkwo`, `send $40 to Xiaoxue`).
_SLOT_CUE = re.compile(
    r"(?:under(?: the name(?: of)?)?|reservation for|booked for|book it for|table for (?:\w+ )?under|"
    r"(?:send|sending|sent|transfer|transferring|wire|wiring|pay|paying|paid|share|sharing|give|owe|split|refund)[^.?!\n]{0,40}? (?:to|with)|"
    r"(?:people|they|friends|everyone|he|she|mom|dad) calls? me|call me|(?:sur)?name is|(?:sur)?name's|i am called|"
    r"assistant to|on behalf of|signed,?|from:|attn:?|attention:|regards,|cheers,|love,|xoxo,?|"
    r"appointment with|savings account of|checking account of|account of|contact name:?|name:|belonging to|"
    r"(?:request|requesting|receive|received|collect)[^.?!\n]{0,40}? from|(?:transaction|payment|transfer) with|"
    r"(?:send|sending|pay|paying|owe|owes|text|texting) |recipient is|(?:person|recipient|payee|owner|holder) [^.?!\n]{0,30}? is|"
    r"(?:owner|holder) is|"
    r"(?:speak|speaking|spoke|spoken|talk|talking|talked) (?:to|with)|ask(?:ed|ing)? for|according to|(?<![A-Za-z])(?:tell|remind|inform|notify|cc)|(?:transfer|put) me (?:to|through to)|"
    r"name\?|my (?:friend|aunt|uncle|cousin|brother|sister|roommate|flatmate|housemate|colleague|boss)|(?:aunt|uncle|cousin|grandma|grandpa)"
    # someone met on the job who is no support agent (Technician Faizal, courier Kieran, the nurse, Aisling);
    # whom a parcel is for; a greeting and a name (Hi, it's Chidi); a name said to be one (name on the app was)
    r"|(?<![A-Za-z])(?:(?:the|my|our|your) )?(?:courier|rider|driver|technician|installer|plumber|electrician|nurse|"
    r"carer|postman|postie|cleaner|landlord|landlady|tenant|delivery (?:guy|man|driver|person)),?|(?:parcel|package|"
    r"delivery|letter|invoice|room|booking) (?:for|addressed to)|addressed to|(?:hi|hey|hello|hiya)[,!]? it'?s|"
    r"name (?:on [^.?!\n]{1,20} )?was"
    r"|my (?:" + _KIN + r"|fianc[ée]e?|manager|assistant),?) [A-Za-zÀ-ſ]$", re.I)
# A passenger's name as a ticket writes it, surname first (ZHANG/YUHANG, ADEBAYO/FOLASADE MS): after a
# passenger or name cue, or with the title a ticket adds.
# Whom a delivery goes to: a full name only (`a delivery to Priyanka Shah`, not `a delivery to Leeds`).
_DELIVERY_TO = re.compile(r"(?i:parcel|package|delivery|letter|flowers|gift) to [A-Za-zÀ-ſ]$")
_TICKET_NAME = re.compile(r"(?<![A-Za-z0-9/])([A-Z]{2,20}/[A-Z]{2,20}(?: [A-Z]{2,20})?)(?: (MR|MRS|MS|MISS|MSTR|DR))?"
                          r"(?![A-Za-z0-9/])")
_TICKET_CUE = re.compile(r"(?i:passenger|pax|traveller|traveler|name|ticket|booking|pnr)|乘客|旅客|英文名|姓名|乘机人")


# A name question, then the caller's turn holding only a name, in a transcript written on one line in lower case.
_INLINE_ANSWER = re.compile(r"(?:name|speaking with|speaking to|whos calling|who's calling|who is calling|"
                            r"whos this|who's this)(?: please)? (?:caller|customer|member|patient|client) "
                            r"(?:(?:hi|yeah|yes|um|uh|its|it's|it is|this is|sure|ok|okay) ){0,3}"
                            r"([a-z][a-z'-]+(?: [a-z][a-z'-]+){0,2}) (?=(?:agent|rep|advisor|operator|nurse|receptionist) )")
# A job met on a customer's side, capitalised before a first name (Technician Faizal, Rider Arjun).
_ROLE_NAME = re.compile(r"(?<![A-Za-z])(?:Courier|Rider|Driver|Technician|Installer|Plumber|Electrician|Nurse|Carer|"
                        r"Postman|Cleaner|Landlord|Landlady)[ ,]{1,2}([A-Z][a-z]{2,14})(?![A-Za-z])")
_TITLE_WORDS = frozenset("mr mrs ms miss mdm madam mx dr sir prof".split())
# The strongest cues: what follows is the name the person goes by, whatever word it also is.
_STRONG_CUE = re.compile(r"(?<![A-Za-z])(?i:(?:people |everyone |they |friends )?calls? me|my name is|my name's|i am called|"
                         r"i'm called|named|change (?:it|the name) to) $")
# A lower-case name in a payment slot (send $40 to xiaoxue, share it with christopher).
_LOWER_SLOT = re.compile(r"(?:(?:transfer|send|sent|sending|pay|paying|wire|wiring|bucks|dollars|\$[0-9,.]+)[^.?!\n]{0,40}? to|"
                         r"belonging to|account of|share[^.?!\n]{0,40}? with) ([a-z]{3,})(?![A-Za-z])")
# A lower-case first name is taken only after the strongest of these.
# Speech-to-text keeps the filler (`my name is uh maria`). `this is` / `it is` (a caller naming
# themselves) take only a full name on the census lists or a first name followed by calling, here, from...
# A record's holder (`the name on the account is jane doe`, `cardholder: jane doe`) names like `name is`;
# `under` (`it's under jane doe`) takes only a census first name: `under review`, `under warranty`.
_LOWER_CUE = re.compile(r"(?<![A-Za-z])(?:(?:sur)?name is|(?:sur)?name's|call me|i am called|name:|(this is|it is|it's|its)|"
                        r"(?:sur)?name on (?:the |my |this |that |your )?(?:account|card|order|booking|reservation|ticket|"
                        r"policy|file|package|parcel|invoice|delivery)(?: is|:)|(?:account|card) ?holder(?: name)?(?: is|:)?|"
                        r"recipient(?: name)?(?: is|:)|(under(?: the name(?: of)?)?))"
                        r"(?:,? (?:uh|um|uhm|er|erm|ah|like),?)? (?=[a-z])", re.I)
# A caller's greeting right before `it's <name>` (hi it's pádraig, kia ora, it's tane).
_GREETED_CALLER = re.compile(r"(?<![A-Za-z])(?i:hi|hello|hey|hiya|yeah|yes|oh|kia ora|morning|g'day|namaste)[,!]? $")
_CALLER_AFTER = re.compile(r" (?:calling|speaking|here|from|with|again|at|on the line)(?![A-Za-z])")
_INITIAL_SURNAME = re.compile(rf"(?<![A-Za-z0-9.'@#_-])[A-Z]\. ?([{_UP}][{_LOW}]{{2,}}(?:-[{_UP}][{_LOW}]+)?){_NAME_END}")
# Firms a list after a word for people may hold (the speakers include Apple, Google and Dell).
# Carriers, airlines, shops and couriers customers name that no person is called: words on no list that open
# a sentence (Verizon says); a span that is one of them alone is no name.
_NO_ONES_FIRMS = frozenset("verizon comcast xfinity vodafone telstra optus singtel starhub qantas amtrak ryanair "
                           "easyjet lufthansa airasia walgreens kroger ikea shopee lazada fedex usps".split())
_FIRMS = frozenset((
    "google amazon apple microsoft tesla ford dell facebook meta netflix ibm intel samsung sony nike uber lyft "
    "oracle adobe visa mastercard paypal walmart target costco starbucks disney twitter linkedin spotify "
    "airbnb huawei xiaomi lenovo alibaba tencent baidu"
).split()) | _NO_ONES_FIRMS
_PEOPLE_BEFORE = re.compile(
    r"(?<![A-Za-z])(?i:founders|co-founders|cofounders|players|speakers|authors|guests|"
    r"attendees|judges|children|kids|sons|daughters|friends|colleagues|coworkers|co-workers|employees|"
    r"panelists|candidates|nominees|cast|brothers|sisters|parents|grandchildren|roommates|teammates|"
    r"passengers|travellers|travelers|guests are|names are)(?: [a-z]+){0,2} ?(?:are|were|include|including|:|,)? ?$")
# A relative named in lower case (speech-to-text, chat): `my husband tom set it up`, `my wife is called
# mei`, `my son, liam`. The name is a census first name that is no common word, or a word on no list.
# Also someone said to be called so (`he's called jayden`, `a driver named marcus`) and someone thanked or
# greeted (`thanks so much kelly`: a census first name only, never a word of address such as buddy).
_KIN_LOWER = re.compile(r"(?<![A-Za-z])(?i:(?:my (?:" + _KIN + r"|friend|aunt|uncle|cousin|brother|sister|roommate|"
                        r"fianc[ée]e?)(?:,| is called| called| named|'s name is)?)|(?:(?:he|she|they)(?:'s| is| was)|"
                        r"someone|somebody|a (?:guy|lady|woman|man|girl|boy|driver|courier|rep|agent|person)) "
                        r"(?:called|named)|(thanks|thank you|thx|cheers|hi|hello|hey)(?: so much| a lot| again)?,?) "
                        r"(?!(?:he|she|they|who|and|was|is)(?![a-z]))([a-z][a-z'-]{2,}|[A-Z][a-z'-]{2,})"
                        r"(?: ([a-z][a-z-]{2,}|o'[a-z]{2,}|[A-Z][a-z-]{2,}|O'[A-Z][a-z]{2,}))?(?![A-Za-z'-])")
_ADDRESS_WORDS = frozenset("buddy honey dear love babe man mate dude bro sweetie darling champ boss sir chief doc pal "
                           "guys all everyone team folks again so much".split())
_KIN_CUE = re.compile(r"(?<![A-Za-z])(?i:my (?:" + _KIN + r"|friend|aunt|uncle|cousin|brother|sister)),? $")
_SLOT_WORD = re.compile(rf"[{_UP}][{_LOW}]+(?:[ -][{_UP}][{_LOW}]+)?")
_NAMING_CALL = re.compile(r"(?<![A-Za-z])(?:people|they|everyone|everybody|friends|some|all) $", re.I)
_LOWER_PART = rf"[a-z](?:'[a-z])?[{_LOW}]{{2,}}(?:-[a-z][{_LOW}]{{2,}})?"  # o'connor, mary-jane
# Words that address someone right before their name (thank you Hendo, great work Olan).
_VOCATIVE = re.compile(r"(?<![A-Za-z])(?i:thank you|thanks|thx|happy birthday|happy bday|congrats|congratulations|"
                       r"great work|good job|well done|love you|miss you|proud of you|hi|hey|hello|dear|bye|goodbye|"
                       r"good morning|good night|morning|night) ,? ?$")
# ... or a first name that is also a word, after `you` or one of those, ending the clause (`thank you
# Grace!`, `how old are you Taylor`).
_YOU_BEFORE = re.compile(r"(?<![A-Za-z])(?i:you) ,? ?$")
_CALENDAR = frozenset("monday tuesday wednesday thursday friday saturday sunday january february march april may "
                      "june july august september october november december christmas easter tomorrow tonight "
                      "today soon later".split())
_CLAUSE_END = re.compile(r" ?(?:[.!?,;:)]|$|\n)")
# ... but not what is greeted or thanked that is no person.
_GREETED = frozenset("diwali hanukkah chanukah eid ramadan kwanzaa halloween valentines valentine thanksgiving "
                     "easter christmas xmas navratri holi lunar everyone everybody all guys folks team".split())
_GROUP_AFTER = re.compile(r" (?i:team|support|crew|folks|fam|family|community|squad|staff|friends|fans|nation|"
                          r"users|customers|service|store|shop|app)(?![A-Za-z])")
# Census first names that are function words: `In Belgium` opens a sentence, it names no one.
_FUNCTION_WORDS = frozenset("in on at to of by for from with as so no an the and or but if is it".split())
# Census surnames that open a greeting or an answer after a caller's first name (it's james good morning).
_GREETING_WORDS = frozenset("good well fine just still back sure yes yeah okay ok thanks thank please hi hello".split())
_LOWER_PINYIN = re.compile(r"([a-z]{1,6}) ([a-z]{1,12})(?![A-Za-z0-9'-])")
_LOWER_AGAIN = re.compile(rf"({_LOWER_PART}),? ((?=[a-z])\1 )")
_LOWER_WORD = re.compile(rf"{_LOWER_PART}(?: {_LOWER_PART})?(?![A-Za-z'-])")
# A physician's directory entry: surname, first name, initial, MD (Byrne Eileen MD).
_MD = re.compile(rf"(?<![A-Za-z])[{_UP}a-z][{_LOW}]+(?: [A-Z]\.?)? [{_UP}a-z][{_LOW}]+(?: [A-Z]\.?)?,? (?:MD|M\.D\.)(?![A-Za-z])")
_MD_WORD = re.compile(rf"[{_UP}a-z][{_LOW}]+")
# A list of three or more single words (Ana, Boris, Chloe and Dmitri): people when most are first names.
_LIST = re.compile(rf"(?<![A-Za-z'-])[{_UP}{_LOW}][{_LOW}]+(?: ?, [{_UP}{_LOW}][{_LOW}]+)+ ?,? (?:and|&) [{_UP}{_LOW}][{_LOW}]+(?![A-Za-z'-])")
# A record whose first line is a name (`>Ana Kovac`, `Ana Kovac\n\n12 Main St`), or a speaker turn
# (`Ana: "..."`).
_HEAD = re.compile(rf"^>?((?:{_WORD}) (?:[A-Z]\. )?(?:{_WORD})(?: {_WORD})?)(?:\n|  +\d| >)")
_RECORD_NEXT = re.compile(r"[ \t]*\n(?:[ \t>]*\n)?[ \t>]*[0-9(+]")
_SPEAKER = re.compile(rf"(?:^|\n)([{_UP}][{_LOW}]+):(?= ?[\"'\\])")
# A first name or a word on no list owning something: Amir's account, Unnsteinn's address.
_POSSESSIVE = re.compile(rf"(?<![A-Za-z0-9@#_.'-])([{_UP}][{_LOW}]{{2,}}) ?' ?s(?![A-Za-z])")
# What a town owns, after its possessive (Edinburgh's Princes Street store, Leeds's main branch): a word on
# no first-name list before it is a place.
_PLACE_OWNS = re.compile(r" ?' ?s(?: (?:[A-Z][\w'’-]*|main|new|old|flagship|city|central|biggest|only)){0,3} "
                         r"(?:store|branch|airport|station|mall|outlet|depot|warehouse|showroom|campus|port|harbour|"
                         r"harbor|weather|traffic|streets?|suburbs?|stores|branches)(?![A-Za-z])")
# First names that are also shops and brands (Wendy's, Macy's).
_BRANDS = frozenset("wendy macy denny carl dave arby hardee domino kellogg levi lowe kohl dillard sotheby "
                    "christie claire friendly ben jerry".split())
# Two people joined by and/&, or someone and the writer: both words first names (or me/I).
_PAIR = re.compile(r"(?<![A-Za-z0-9@#_'-])(?:([A-Za-z][a-z]{2,})|me|I) (?:and|&) (?:([A-Za-z][a-z]{2,})|I|me)(?![A-Za-z0-9_@'-])")
# The payee of a money transfer: any capitalised word, even a common one that is a first name (Grace).
_PAY_SLOT = re.compile(
    r"(?:(?<![A-Za-z])(?i:transfer|transferring|send|sending|sent|pay|paying|paid|wire|wiring)(?![A-Za-z])[^.?!\n]{0,40}? to|"
    r"(?:transaction|payment|transfer) with|(?:checking|savings) account (?:of|belonging to)|belonging to|"
    r"(?<![A-Za-z])(?i:send|sending|pay|paying)(?= [A-Z][a-z]+ (?:\$|[0-9]|one|two|three|four|five|six|seven|eight|nine|ten|a hundred)))"
    r" ([A-Z][a-z]+)(?![A-Za-z])")
_ACCOUNT_WORDS = frozenset("checking savings venmo paypal zelle bank account card debit credit wallet balance app".split())
# British endings and their American forms (web2 spells the American way).
_BRITISH = (("our", "or"), ("ours", "ors"), ("ise", "ize"), ("ised", "ized"), ("ising", "izing"), ("isation", "ization"),
            ("tre", "ter"), ("tres", "ters"), ("ogue", "og"), ("ence", "ense"), ("lled", "led"), ("lling", "ling"))
_NOT_SLOT = frozenset("the a an my your our his her their this that it i you we they me".split())


class EnglishNames:
    """Recognizer: cue-less English and pinyin person names (see the module docstring)."""

    labels = ("PERSON",)

    def __init__(self) -> None:
        self.first, self.last = name_lists()
        self.words = dictionary()
        self.proper = proper_nouns()
        self.rare = rare_surnames() - self.words
        # Words web2 lists in lower case (common words: grace, walker, amy, sam); a name not among them
        # (kevin, tanya, naomi) is rarely anything but a name, even in lower case or capitals.
        self.lower_words = self.words - self.proper
        self.first_surnames = frozenset(more_first_names() & self.last) - self.lower_words - _COMMON
        self.first = self.first | (more_first_names() - self.last - self.lower_words)
        self.countries = countries() - common_first_names()
        self.common = common_words()

    def not_a_name(self, text: str, start: int, end: int) -> bool:
        """Whether a span another layer (the CRF) reads as a person is, by these lists, no one: a place's or
        a firm's name, a month, a country, a word of address or a filler (buddy, asap), one lower-case common
        word (will, mark), common words only (Amber Price), letters spelling a word (r e d), a romanised
        place (Shen Zhen), a town before its country (Paris, France)."""
        value = text[start:end]
        words = [_plain(w) for w in re.split(r"[\s,.'’-]+", value.lower()) if w]
        if not words:
            return True
        if self.in_place(text, start, end) or in_business_list(text, start, end) or _in_romanised_place(text, start, end):
            return True
        listed_after = _AND_NAME_AFTER.match(text, end)
        if listed_after is not None and in_business_list(text, listed_after.start(1), listed_after.end(1)):
            return True  # Jones, Mitchell and Williams: the middle of a firm's name
        if words[0] in _TITLE_WORDS and len(words) == 2:
            return True  # dr okafor: a title and a surname alone
        if any(w in self.countries for w in words):
            return True  # Paris, France
        if all(len(w) == 1 for w in words):
            return "".join(words) in self.lower_words  # r e d, H-E-L-L-O: a word spelled out
        if len(set(words)) == 1 and len(words) > 1:
            return True  # ha ha ha
        if value.islower() and all(len(w) <= 2 for w in words):
            return True  # li na called: syllables too short to tell from words
        if any(w in _FIRM_WORDS or w in _FIRM_ENDS for w in words):
            return True  # Quorvexa Inc
        if len(words) > 1 and words[-1] in _VENUE_ENDS:
            return True  # Carmel House, BHG Kitchen, Jade Room: a place named like a person
        if len(words) == 1:
            w = words[0]
            if (w in _CALENDAR or w in self.countries or w in _ADDRESS_WORDS or w in _INTERJECTIONS or w in _SLANG
                    or w in _NOT_SLOT or w in _FUNCTION_WORDS):
                return True
            if value.islower() and (w in self.lower_words or self._common_word(w)):
                return True  # my husband will call, my brother mark the parcel
            if value[:1].isupper() and w in self.proper:
                return True  # Irish, Paris, Amsterdam: a proper noun of the dictionary (a first name too: Paris)
            if w in _CHAT_WORDS:
                return True  # asap
        elif all(w in _COMMON or w in self.lower_words for w in words) and not any(
                w in self.first and w not in _COMMON for w in words):
            return True  # Amber Price tags
        after = _COUNTRY_AFTER.match(text, end)
        if after is not None and after.group(1).lower() in self.countries:
            return True  # Paris, France
        # In a sentence of another language (ik denk dat ze Amsterdam, niet wil): most lower-case words
        # before it are on no English list.
        before = _LOWER_WORDS.findall(text, max(0, start - 60), start)[-6:]
        return len(before) >= 3 and sum(self._unknown(w) for w in before) * 2 > len(before)

    def _unknown(self, word: str) -> bool:
        """A capitalised word on no list of English words (Xiaoxue, Wilmsen): most likely a name."""
        low = _plain(word.lower())
        if low in _COMMON or low in _PLACE_AFTER or low in _PLACE_BEFORE:
            return False
        # web2 lists base forms (cuts, boxes, walked are words too), in American spelling (Neighbour, Centre,
        # Organise are words).
        return not listed(low, self.words) and not any(
            low.endswith(uk) and listed(low[:-len(uk)] + us, self.words) for uk, us in _BRITISH) and not (
            # two lower-case words of four letters or more written as one (Workaround, Firmware, Brightcart),
            # the second no ending English surnames are made with (Blackmoor, Greenfield, Ashworth)
            len(low) >= 8 and low not in self.last and low not in self.rare and low not in self.first
            and not low.endswith(_SURNAME_ENDS)
            and any(low[:k] in self.lower_words and listed(low[k:], self.lower_words) for k in range(4, len(low) - 3)))

    def _common_word(self, low: str) -> bool:
        """`low` or its stem is in GCIDE (fearlessly, exploded, vacationer are: web2 lists inflections)."""
        return listed(low, self.common, _DERIVATIONS, min_stem=3)

    def _person_word(self, word: str, proper: bool = False) -> bool:
        low = _plain(word.lower())
        if low in _COMMON or low in _NOT_SLOT:
            return False
        return low in self.first or low in self.last or self._unknown(word) or (proper and low in self.proper)

    def _is_name(self, words: list[str]) -> float:
        low = [_plain(w.lower()) for w in words]
        if low[0] in _NOT_SLOT or low[0] in _FUNCTION_WORDS:
            return 0.0  # My Mastercard, The Ritz
        if low[-1] in _COMMON:
            # A first name that is no common word before a surname that is one (Toby White, Tanya Brown,
            # Ben Bishop is not: Ben is common too): a person, written as names are written.
            if (len(low) == 2 and low[0] in self.first and low[0] not in _COMMON
                    and low[-1] in self.last and low[-1] not in _NOT_LAST_COMMON
                    and _name_cased(words[0]) and _name_cased(words[-1])):
                return 0.72
            return 0.0
        if low[0] in _COMMON:
            # A common word that is also a first name (Don, Ben, Grace) before a surname that is no
            # English word (Don Okonkwo-like pairs): a person; before anything else, nothing.
            last = low[-1].split("-")[-1].replace("'", "")
            if (len(low) == 2 and low[0] in self.first and low[0] not in _NOT_FIRST_COMMON and _name_cased(words[0])
                    and _name_cased(words[-1]) and (last in self.last or last in self.rare
                                                     or (len(last) >= 5 and self._unknown(words[-1])
                                                         and low[0] not in _FUNCTION_WORDS))
                    and last not in self.words):
                return 0.72
            return 0.0
        if low[0] in PINYIN_SURNAMES and all(_PINYIN_GIVEN.fullmatch(w) for w in low[1:]) and len(low) == 2:
            return 0.8
        first = low[0].split("-")[0].split("'")[-1]
        last = low[-1].split("-")[-1].replace("'", "")
        if first in self.first and (last in self.last or last in PINYIN_SURNAMES):
            # An all-capitals pair is usually a heading or a shout, unless it is a full name's form.
            return 0.85
        # A baby name that the census lists as a surname too (Connor, Mason, Tyler; left out of the first names,
        # so that one alone is not read as a person) before a surname that is no word: a person.
        if (len(words) == 2 and first in self.first_surnames and last in self.last and last not in self.words
                and _name_cased(words[0]) and words[-1][:1].isupper() and not words[-1].isupper()):
            return 0.75
        # A known first name and a word on no list (Mohsin Wilmsen), or the other way round.
        if _name_cased(words[-1]) and _name_cased(words[0]):
            if first in self.first and (self._unknown(words[-1]) or last in self.rare):
                return 0.75

            # ... or a word only the old, large dictionary holds (Lindsay Lohan, Kristen Rocher)
            if (first in self.first and first not in self.lower_words and len(last) >= 4
                    and last not in self.proper and not self._common_word(last)):
                return 0.72
            if last in self.last and last not in self.words and self._unknown(words[0]):
                return 0.75
            # Two words on no list (Palmi Einarsson).
            if len(words) == 2 and low[0] != low[1] and self._unknown(words[0]) and (
                    self._unknown(words[-1]) or last in self.rare) and not (first in self.proper or last in self.proper):
                return 0.7
        return 0.0

    def in_place(self, text: str, start: int, end: int) -> bool:
        """Whether text[start:end] is part of a place or a title: a word of _PLACE_BEFORE or a number
        before it, a word of _PLACE_AFTER after it."""
        before = text[max(0, start - 12):start].split()
        after = text[end:end + 32].split()
        if before and (before[-1].lower().strip(",") in _PLACE_BEFORE or before[-1].isdigit()):
            return True
        for word in after[:4]:  # Louis Armstrong New Orleans airport, martin luther king jr blvd
            low = word.lower().strip(".,;:!?")
            if low in _PLACE_AFTER:
                return True
            if not (word[:1].isupper() or low in self.last or low in ("jr", "sr")) or word[-1:] in ",;:!?":
                return False
        return False

    def find(self, text: str) -> list[tuple[int, int, str, float]]:
        """PERSON spans on normalised `text`."""
        if _shouted(text):
            # MY NAME IS KAREN WHITE: a shouted message reads as one in lower case (its cues, its pairs).
            return self._ticket_names(text) + self.find(text.lower())
        if text.islower():
            out = (self._pinyin_lower(text) + self._fields(text) + self._signed(text) + vietnamese_names(text)
                   + korean_names(text))
            out.extend(self._slots(text, out))
            out.extend(self._casual(text, out))
            out.extend(self._answers(text, out))
            return self._not_places(text, self._grow(text, out))
        out = []
        for m in _CANDIDATE.finditer(text):
            words = [(w.start(), w.end()) for w in re.finditer(r"\S+", m.group())
                     if not w.group().endswith(".") and len(w.group()) > 1]
            lead = _plain(m.group()[words[0][0]:words[0][1]].lower())
            if len(words) > 2 and lead in self.words and lead not in self.first and lead not in self.last:
                words = words[1:]  # The Megan Kowalczyk version: a capitalised word opening the sentence
            if all(m.group()[a:b].isupper() for a, b in words):
                continue  # BIG SALE: a heading or a shout
            if self.in_place(text, m.start(), m.end()) or any(
                    (w.lower() in _PLACE_BEFORE and (i or w != "The")) or w.lower() in _PLACE_AFTER
                    for i, w in enumerate(m.group().split())):
                continue  # Marvin Hollow Apartments, The Duchess Mabel
            if _firm(m.group().split()[-1], text[m.end():m.end() + 16].split("\n")[0].split()[:1], self.last):
                continue  # Nexa Telecom, Rocky Mountain Federal: a firm
            # Longest first: all the words, else the first two, else the last two.
            for a, b in ((0, len(words)), (0, 2), (len(words) - 2, len(words))):
                part = words[a:b]
                if len(part) < 2:
                    continue
                score = self._is_name([m.group()[s:e] for s, e in part])
                if score <= 0.75 and len(part) < len(words):
                    continue  # Berkery Noyes Mandasoft: a word on no list inside a longer name
                if score == 0.7 and _AT_PLACE.search(text, max(0, m.start() + part[0][0] - 8), m.start() + part[0][0]):
                    continue  # in Bremen Ohlenhof, at Tristan Bates Theatre
                if score:
                    out.append((m.start() + part[0][0], m.start() + part[-1][1], "PERSON", score))
                    break
        initials = _Spans(out) if "." in text else None
        for m in (_INITIAL_SURNAME.finditer(text) if initials is not None else ()):
            # An initial and a surname (signed by J. Rodriguez): a census surname that is no English word,
            # or a word on no list.
            low = _plain(m.group(1).lower())
            if not initials.free(m.start(), m.end()) or low in _COMMON or low in _PLACE_AFTER:
                continue
            if ((low in self.last and low not in self.lower_words) or (len(low) >= 4 and self._unknown(m.group(1)))) \
                    and not self.in_place(text, m.start(), m.end()):
                out.append((m.start(), m.end(), "PERSON", 0.75))
        for m in _HK_NAME.finditer(text):
            # Hong Kong names: a Cantonese surname and a two-syllable given name (CHAN Tai-man, Wong Siu Ming).
            sur, g1, g2 = m.group(1).lower(), m.group(2).lower(), m.group(3).lower()
            if sur in HK_SURNAMES and _HK_SYLLABLE.fullmatch(g1) and _HK_SYLLABLE.fullmatch(g2) and not (
                    sur == g1 == g2) and (
                    m.group(1)[1:].islower() or m.group(1).isupper()) and not self.in_place(text, m.start(), m.end()):
                out.append((m.start(), m.end(), "PERSON", 0.8))
        for m in _PINYIN_LOWER.finditer(text):
            sur, given = m.group(1).lower(), m.group(2)
            if (sur in PINYIN_SURNAMES and m.group(1).isupper() and _PINYIN_GIVEN.fullmatch(given)
                    and not listed(given, self.lower_words)):  # ZHANG wei, not the FANG case
                out.append((m.start(), m.end(), "PERSON", 0.8))
        for m in _PINYIN_CAPS.finditer(text):
            sur, given = m.group(1).lower(), m.group(2).lower()
            if (sur in PINYIN_SURNAMES and _PINYIN_GIVEN.fullmatch(given) and given not in _COMMON
                    and not listed(given, self.lower_words) and not self.in_place(text, m.start(), m.end())
                    and not _in_romanised_place(text, m.start(), m.end())):
                out.append((m.start(), m.end(), "PERSON", 0.8))
        out.extend(self._pinyin_lower(text))
        out.extend(self._fields(text))
        out.extend(self._signed(text))
        out.extend(self._ticket_names(text))
        out.extend(self._slots(text, out))
        taken = {i for a, b, _, _ in out for i in range(a, b)}  # a set: a 1 MB text may hold 100,000 names
        for m in _SINGLE.finditer(text):
            a, b = m.span()
            if not taken.isdisjoint(range(a, b)) or not (_SINGLE_CUE.search(text, max(0, a - 12), a) or _LOWER_BEFORE.search(text, max(0, a - 24), a)
                    or (not text[:a].strip() or text[:a].rstrip()[-1:] in ".!?\n") and _VERB_AFTER.match(text, b)):
                continue
            low = m.group().lower()
            if _PLACE_PREP.search(text, max(0, a - 8), a):
                continue  # back from Verona, a week in Florence
            if in_business_list(text, a, b):
                continue  # Lopez, Santos and Coleman: a firm's name
            known = low in self.first and low not in _COMMON
            if not known and len(low) >= 4 and _VERB_ONLY.match(text, b) and (
                    self._unknown(m.group()) or (low in self.last and low not in self.lower_words and low not in _COMMON)
            ) and (not text[:a].strip() or text[:a].rstrip()[-1:] in ".!?\n"):
                # Oyelaran is late, Nguyen said: a word on no list, or a census surname that is no lower-case
                # word, opening a sentence, before a verb
                known = True
            if not known and len(low) >= 4 and self._mid_unknown(text, a, b):
                known = True  # I had lunch with Oyelaran: a word on no list after an English word, mid-sentence
            if not known and len(low) >= 4 and _ADDRESSED.match(text, b) and low not in _INTERJECTIONS and (
                    not text[:a].strip() or text[:a].rstrip()[-1:] in ".!?\n") and self._unknown(m.group()):
                known = True  # Jakobine, can I speak to your boss?: someone addressed, opening a sentence
            if (not known and low in self.first and low not in _NOT_FIRST_COMMON and low not in _CALENDAR
                    and low not in _GREETED and _CLAUSE_END.match(text, b)
                    and (_VOCATIVE.search(text, max(0, a - 20), a) or _YOU_BEFORE.search(text, max(0, a - 6), a))):
                known = True  # thank you Grace!, how old are you Taylor: someone addressed, ending the clause
            if (not known and len(low) >= 4 and _VOCATIVE.search(text, max(0, a - 20), a) and self._unknown(m.group())
                    and low not in _GREETED and low not in _BRANDS and low not in _FIRMS
                    and not _GROUP_AFTER.match(text, b)):
                known = True  # thank you Hendo, happy birthday Jaiden: someone addressed by a word on no list
            if known and not self.in_place(text, a, b):
                nxt = text[b:b + 2]
                if not (nxt[:1] == " " and nxt[1:2].isupper()):  # Maria Gardens: part of a longer name
                    out.append((a, b, "PERSON", 0.7))
        out.extend(self._casual(text, out))
        out.extend(self._answers(text, out))
        if _HAS_CJK.search(text):
            out.extend(self._in_chinese(text, out))
        out.extend(vietnamese_names(text))
        out.extend(korean_names(text))
        return self._not_places(text, self._grow(text, out))

    def _pinyin_lower(self, text: str) -> list[tuple[int, int, str, float]]:
        """Chinese names in lower-case pinyin with no cue (_PINYIN_PAIR_LOWER)."""
        out = []
        for m in (_PINYIN_PAIR_LOWER.finditer(text) if " " in text else ()):
            sur, given = m.group(1), m.group(2)
            if (sur in PINYIN_SURNAMES and sur not in _PINYIN_WORDS and _TWO_SYLLABLES.fullmatch(given)
                    and given not in self.words and not self._common_word(given)
                    and not _in_romanised_place(text, m.start(), m.end(2))):
                out.append((m.start(), m.end(2), "PERSON", 0.7))
        return out

    def _ticket_names(self, text: str) -> list[tuple[int, int, str, float]]:
        """Names written SURNAME/GIVEN (_TICKET_NAME): with a ticket's title, or after a cue with a part that
        is no English word (not PASS/FAIL)."""
        out: list[tuple[int, int, str, float]] = []
        for m in (_TICKET_NAME.finditer(text) if "/" in text else ()):
            parts = [w.lower() for w in re.split("[/ ]", m.group(1))]
            if m.group(2) or (_TICKET_CUE.search(text, max(0, m.start() - 40), m.start())
                              and any(not listed(w, self.lower_words) for w in parts)):
                out.append((m.start(1), m.end(1), "PERSON", 0.8))
        return out

    def _fields(self, text: str) -> list[tuple[int, int, str, float]]:
        """Names in a form or record field (_FIELD)."""
        out: list[tuple[int, int, str, float]] = []
        if not _FIELD_HINT.search(text):
            return out
        speakers = _speakers(text)
        for m in _FIELD.finditer(text):
            group = next(g for g in (1, 2, 3) if m.group(g) is not None)
            value = m.group(group)
            if value.lower() in _NOT_NAME_VALUES:
                continue
            key = m.group().split(value, 1)[0].strip(" \t\n\"'{:=-–;|：").lower()
            if key in speakers:
                continue  # Patient: That's me, in a transcript: a speaker's turn, not a form's field
            if any(w in _INTERJECTIONS or w in _DIGIT_WORDS for w in re.split(r"[ ,.'’-]+", value.lower())):
                continue  # Patient: Erm, eight seven: a turn of a transcript
            words = [_plain(x.lower()) for x in re.split(r"[ ,.'’-]+", value) if x]
            if key in _LOOSE_KEYS and not all(w in self.first or w in self.last or not (
                    listed(w, self.lower_words) or self._common_word(w)) for w in words) and not (
                    len(words) >= 2 and value.istitle() and sum(w in self.first or w in self.last for w in words) >= 2):
                continue  # "name": "Premium plan": a bare `name` holds things too; only a name-like value
                # (or a capitalised one with two name words: Name - Sai Krishna Reddy, where Sai is a word too)
            out.append((m.start(group), m.end(group), "PERSON", 0.8))
        return out

    def _signed(self, text: str) -> list[tuple[int, int, str, float]]:
        """The writer's name signing a message off at its end (`Thanks, Jürgen Müller`, `... - jasmine`):
        each word a census or Moby name or a capitalised word on no list, none a common word."""
        out: list[tuple[int, int, str, float]] = []
        tail = text[-60:].rstrip()
        if not tail:
            return out
        base = len(text) - len(text[-60:])
        m = _SIGNED.search(tail) or _DASH_SIGNED.search(tail)
        if m is None:
            return out
        words = m.group(1).split()
        lows = [_plain(w.lower()) for w in words]
        if any(low in _COMMON or low in _NOT_SLOT or low in _INTERJECTIONS for low in lows):
            return out
        first_ok = lows[0] in self.first or (words[0][0].isupper() and self._unknown(words[0]))
        # A surname may be a word too (Müller, Baker) after a first name
        last_ok = len(words) == 1 or lows[-1] in self.last or self._unknown(words[-1])
        if first_ok and last_ok:
            out.append((base + m.start(1), base + m.end(1), "PERSON", 0.75))
        return out

    def _here(self, text: str) -> list[tuple[int, int, str, float]]:
        """A writer naming themselves: `Ruby Nguyen here` (_HERE), each word a name word or one on no list."""
        out: list[tuple[int, int, str, float]] = []
        for m in (_HERE.finditer(text) if " here" in text.lower() else ()):
            words = m.group(1).split()
            if not all(w[0].isupper() for w in words):
                continue
            lows = [_plain(w.lower()) for w in words]
            if len(words) == 1 and lows[0] not in self.first:
                continue  # Otaku here: one word, a first name only
            if all(low not in _NOT_SLOT and low not in _COMMON and (low in self.first or (
                    not listed(low, self.lower_words) and (low in self.last or self._unknown(w))))
                   for w, low in zip(words, lows)) or (len(words) == 2 and lows[0] in self.first and (
                    lows[1] in self.last or self._unknown(words[1]))):
                out.append((m.start(1), m.end(1), "PERSON", 0.8))
        return out

    def _answers(self, text: str, found: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
        """Names given as answers: spelled out or answering a name question, where no other rule found
        one beside them (a rule's `maria gonzalez` then grows over `g o n z a l e z`, redaction.extend)."""
        if "\n" not in text and " " not in text and "-" not in text:
            return []
        near = [(a - 3, b + 3, a, b) for a, b, _, _ in found]
        taken = [(a, b) for a, b, _, _ in found]
        return [span for span in (*self._spelled(text), *self._answered(text), *self._here(text))
                if not any(a < span[1] and span[0] < b and not (span[0] <= fa and fb <= span[1] and fb - fa < span[1] - span[0])
                           for a, b, fa, fb in near)  # next to a found name: its rule's; holding one whole: longer
                ] + [span for span in self._spelled_aided(text)  # spelled with aids: beside the name it spells
                     if not any(a < span[1] and span[0] < b and not (span[0] <= a and b <= span[1]) for a, b in taken)]

    def _romanised(self, words: list[str]) -> bool:
        """A Chinese name romanised: a pinyin or Cantonese surname, then pinyin or Cantonese syllables."""
        return len(words) >= 2 and (words[0] in PINYIN_SURNAMES or words[0] in HK_SURNAMES) and all(
            _PINYIN_GIVEN.fullmatch(w) or _HK_SYLLABLE.fullmatch(w) for w in words[1:])

    def _answered(self, text: str) -> list[tuple[int, int, str, float]]:
        """A name given as the whole answer to a turn that asked for it (_NAME_ANSWER): each word a census
        or Moby name or a word on no list, none a common word (`no thanks`, `sure` are not names)."""
        out: list[tuple[int, int, str, float]] = []
        asked = list(ASKED_NAME.finditer(text)) if "\n" in text else []
        asked += list(_ASKED_INLINE.finditer(text)) if "?" in text else []
        answered: set[tuple[int, int]] = set()  # `full name?\n`: both question patterns reach the one answer
        for q in asked:
            m = _NAME_ANSWER.match(text, q.end())
            if m is None or m.span(1) in answered:
                continue
            said = [w for w in m.group(1).replace("-", " ").split() if "/" not in w and w.lower() not in _PARTICLE_SET]
            words = [_plain(w.lower()) for w in said]
            named = [w in self.first or w in self.last or not listed(w, self.lower_words) for w in words]
            # Capitalised, two words or more, one of them a name or on no list: a word list's entry too
            # (`Rohan Kulkarni`, `Ngozi Obi`; not a lone `Platinum`, an initial, `Harrington Joinery Ltd`).
            capitalised = (len(said) >= 2 and any(named) and all(w[:1].isupper() and len(w) > 1 for w in said)
                           and not any(w in _FIRM_WORDS or w in _PLACE_AFTER for w in words))
            if words and words[0] in _REPLY_WORDS:
                continue
            if self._romanised(words) or all(w not in _COMMON and w not in _NOT_SLOT and (ok or capitalised)
                                             for w, ok in zip(words, named)):
                out.append((m.start(1), m.end(1), "PERSON", 0.8))  # CHANG YU TING, zhao yu tong: romanised
                answered.add(m.span(1))
            elif _ASKED_PERSON.search(q.group()) and not any(
                    w in _NOT_SLOT or w in _INTERJECTIONS or w in _FIRM_WORDS or w in _PLACE_AFTER or w in _REPLY_WORDS
                    for w in words) and (
                    # asked for a person's name, the answer is one capitalised word on no list of common
                    # words or a census name (`What's your last name? Baba`, `Grant`) or a first name and surnames (`ivan
                    # king`)
                    (len(said) == 1 and said[0][:1].isupper() and len(words[0]) > 1
                     and (words[0] not in _COMMON or words[0] in self.first or words[0] in self.last))
                    or (len(words) >= 2 and words[0] in self.first
                        and all(w in self.last or (len(w) >= 4 and w not in self.words) for w in words[1:])
                        and ((words[0] not in _COMMON and not listed(words[0], self.lower_words))
                             or all(w not in _COMMON for w in words[1:])
                             # written as a name (Amber Price, Will Baker): a first name and a surname
                             or (all(w[:1].isupper() and w[1:].islower() for w in said)
                                 and words[-1] in self.last)))):
                out.append((m.start(1), m.end(1), "PERSON", 0.8))
                answered.add(m.span(1))
        for m in (_ROMANISED_CUE.finditer(text) if _HAS_CJK.search(text) else ()):
            if self._romanised(m.group(1).lower().replace("-", " ").split()):
                out.append((m.start(1), m.end(1), "PERSON", 0.8))
        for m in (_INLINE_ANSWER.finditer(text) if "\n" not in text and ("caller" in text or "customer" in text) else ()):
            # agent whos calling caller its aaliyah aaliyah jackson agent hi aaliyah: a transcript with its speakers
            # inline, the caller's whole turn after a name question
            words = [_plain(w) for w in m.group(1).split()]
            if all(w in self.first or (w in self.last and w not in _COMMON) or not listed(w, self.lower_words)
                   for w in words) and not any(w in _NOT_SLOT or w in _INTERJECTIONS for w in words):
                out.append((m.start(1), m.end(1), "PERSON", 0.8))
        return out

    def _spelled(self, text: str) -> list[tuple[int, int, str, float]]:
        """A word spelled out letter by letter, as a caller spells a name (or the agent reads it back): the
        letters and every other place the word stands in the text, when it stands elsewhere too (`it's
        smith s m i t h`, `Huang, H U A N G`) or is a census or Moby name that is no lower-case word
        (`S I O B H A N`). A spelled word that is only a word (`W E S T`, `H E L L O`) is left."""
        out: list[tuple[int, int, str, float]] = []
        folded = None
        for m in (_LETTER_RUN.finditer(text) if " " in text or "-" in text else ()):
            word = "".join(ch for ch in m.group() if ch.isalpha()).lower()
            if folded is None:  # Szczepański, S Z C Z E P A N S K I: the letters spell it without its accents
                folded = strip_accents(text)
            others = [w.span() for w in re.finditer(r"(?<![A-Za-z])" + word + r"(?![A-Za-z])", folded, re.I)]
            named = (word in self.first or word in self.last) and word not in self.lower_words and word not in _COMMON
            if others or named:
                out.append((m.start(), m.end() - m.group().endswith("."), "PERSON", 0.8))
                out.extend((a, b, "PERSON", 0.8) for a, b in others)
        return out

    def _spelled_aided(self, text: str) -> list[tuple[int, int, str, float]]:
        """A name spelled with commas and aids, as callers do (`M C, A, double L, I, S, T, E, R`, `F as in
        foxtrot, E, N, W, I, C, K`, `oscar, yankee, echo, lima`, `O apostrophe, then S as in sugar, U, L...`):
        taken when the word it spells stands elsewhere in the text (accents, apostrophes and case aside),
        is a census or Moby name, or a name was asked for or named just before."""
        out: list[tuple[int, int, str, float]] = []
        low = text.lower()
        if _AIDED_HINT.search(text) is None and " as in " not in low and " for " not in low \
                and "double " not in low and "triple " not in low \
                and "capital " not in low \
                and not (any(w in low for w in _NATO) and _NATO_SEEN.search(text) is not None):
            return out
        folded = None
        for m in _AIDED_RUN.finditer(text):
            if _LETTER_RUN.fullmatch(m.group()):
                continue  # plain letters (R-A-M-I-R-E-Z): _spelled's, and the name grows over them
            letters = []
            for t in _AIDED_TOKEN.finditer(m.group()):
                low = t.group().lower()
                if low in _NATO:
                    letters.append(low[0])
                elif low.startswith(("double ", "triple ")):
                    letters.append(low[-1] * (2 if low.startswith("double") else 3))
                elif low.startswith(("capital ", "small ", "big ")):
                    letters.append(low[-1])  # M, C, capital C, O, N: the case said aloud
                elif len(low.split()[0]) == 1:
                    letters.append(low[0])
            word = "".join(letters)
            if len(word) < 4 or word in self.lower_words and word not in self.first and word not in self.last:
                continue
            if folded is None:
                folded = strip_accents(text)
            others = [o.span() for o in re.finditer(r"(?<![A-Za-z])" + r"['’ -]?".join(word) + r"(?![A-Za-z])", folded, re.I)
                      if not (m.start() <= o.start() < m.end())]
            named = (word in self.first or word in self.last) and word not in _COMMON
            asked = _NAME_BEFORE.search(text, max(0, m.start() - 80), m.start()) is not None
            if others or named or asked:
                out.append((m.start(), m.end(), "PERSON", 0.8))
                out.extend((a, b, "PERSON", 0.8) for a, b in others)
        return out

    def _not_places(self, text: str, found: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
        """`found` less the spans inside a romanised Chinese place name (Hong Kong, Yau Ma Tei, Xinyi
        District): their syllables are surnames and given names to the pinyin and Cantonese rules; less a
        brand named after a person before what it sells (the Ted Baker bag, Walmart gift cards); and
        less a span that is a country's name (Poland, France: census surnames or first names too)."""
        if not found:
            return found
        sites = _site_words(text) if _SITE_AFTER.search(text) else frozenset()
        return [f for f in found if not _in_romanised_place(text, f[0], f[1])
                and not _PRODUCT_AFTER.match(text, f[1])
                and " ".join(text[f[0]:f[1]].lower().split()) not in _REGIONS
                and not _PLACE_FIELD.search(text, max(0, f[0] - 12), f[0])
                and not (_FLIGHT_BEFORE.search(text, max(0, f[0] - 10), f[0]) and _ROUTE_AFTER.match(text, f[1]))
                and not (" " in text[f[0]:f[1]].strip() and text[f[0]:f[1]].split()[-1].lower() in _ROOM_LAST)
                and text[f[0]:f[1]].lower() not in _NO_ONES_FIRMS
                and not (_PLACE_CONTEXT.search(text, max(0, f[0] - 60), f[0]) and not text.startswith(("'s", "’s"), f[1]))
                and not _SITE_AFTER.match(text, f[1])
                and not _named_twice(text, f[0], f[1])
                and not self._firm_of_country(text[f[0]:f[1]])
                and not (text[f[0]:f[1]] in sites and not _ADDRESSED_BEFORE.search(text, max(0, f[0] - 12), f[0]))
                and not (_NUMBERED_PLACE.fullmatch(text, f[0], f[1]) and _A_NUMBER_AFTER.match(text, f[1]))
                and not (_AID_BEFORE.search(text, max(0, f[0] - 9), f[0]) and " " not in text[f[0]:f[1]].strip())
                and not (" ".join(text[f[0]:f[1]].lower().split()) in self.countries
                         and not _KIN_CUE.search(text, max(0, f[0] - 24), f[0])
                         and not _STRONG_CUE.search(text, max(0, f[0] - 24), f[0]))]

    def _firm_of_country(self, name: str) -> bool:
        """Whether a two-word `name` is a firm named with its country (Bell Canada, Air India): one word a
        country's name that is no first name (not Georgia, Jordan), the other no first name either (Jessica
        Poland, Daniel Brazil: a surname that is a country)."""
        words = [_plain(w) for w in name.lower().split()]
        return len(words) == 2 and any(w in self.countries and w not in self.first and all(
            o not in self.first for o in words if o != w) for w in words)

    def _grow(self, text: str, found: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
        """Each name grown over a name word the rules left beside it: a first name or a word on no list
        before it, with an initial (Faina D. + Yefremova, Pinabel + Marcil); a surname after it, in lower
        case when it is on the census lists and no common word (Kylie + minogue), capitalised when it is
        no English word (Julio + Vásquez)."""
        if not found:
            return found
        spans = sorted(found)
        out: list[tuple[int, int, str, float]] = []
        for i, (a, b, label, score) in enumerate(spans):
            low_limit = out[-1][1] if out else 0
            high_limit = spans[i + 1][0] if i + 1 < len(spans) else len(text)
            m = _WORD_BEFORE.search(text, max(low_limit, a - 40), a)
            if m is not None and self._grow_word(m.group(1), before=True) and (
                    _plain(m.group(1).lower()) in self.first
                    or _PREV_WORD.search(text, max(0, m.start(1) - 24), m.start(1)) is not None):
                a = m.start(1)  # a word on no list only mid-sentence (not `Ahh Steve`, `Hotel Elegante Steve`)
            m = _WORD_AFTER.match(text, b)
            if m is not None and m.end(1) <= high_limit and self._grow_word(m.group(1), before=False):
                b = m.end(1)
            out.append((a, b, label, score))
        return out

    def _grow_word(self, word: str, before: bool) -> bool:
        low = _plain(word.lower())
        if len(low) < 3 or low in _COMMON or low in _NOT_SLOT or low in _PLACE_BEFORE or low in _PLACE_AFTER:
            return False
        if word.islower():
            # kylie + minogue; tracy + sukhorukova (a surname on no list, five letters or more, no slang)
            return not before and self._unknown(word) and (
                low in self.last or low in self.rare or (len(low) >= 5 and low not in _SLANG and low.isalpha()
                                                         and not _REPEATED.fullmatch(low) and not self._glued(low)))
        if not _name_cased(word):
            return False
        if before:
            return (low in self.first and low not in self.lower_words) or self._unknown(word)
        return (low in self.last and low not in self.words) or self._unknown(word)

    def _glued(self, low: str) -> bool:
        """`low` is two English words typed without their space (fromyour, thankyou)."""
        return any(low[:i] in self.words and low[i:] in self.words for i in range(3, len(low) - 2))

    def _in_chinese(self, text: str, found: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
        """Latin-script names inside Chinese text, where words are not spaced: a first name glued to a
        surname (电影中的KelseyGrammer), or any Latin word after a Chinese word for a person's role
        (选手Moon, 领队RURU, 影评人rayn)."""
        out = _Spans(found)
        for m in _GLUED.finditer(text):
            first, last = _plain(m.group(1).lower()), _plain(m.group(2).lower())
            if (first in self.first and first not in _COMMON and (last in self.last or last in self.rare or self._unknown(m.group(2)))
                    and first not in self.lower_words and last not in self.lower_words  # MacBook, PowerPoint
                    and free_of(out, m.start(), m.end())):
                out.append((m.start(), m.end(), "PERSON", 0.75))
        for m in _ROLE_LATIN.finditer(text):
            a, b = m.span(1)
            word = m.group(1)
            if re.search("[a-z][A-Z]", word) or word.lower() in _NOT_SLOT or word.lower() in _NOT_ROLE_LATIN or (
                    word.isupper() and len(word) <= 3) or (word.islower() and listed(word, self.lower_words)):
                continue  # 用户iPhone, 用户admin, 主持SPL, 客户ask: a product, an account, an acronym or a word
            if free_of(out, a, b):
                out.append((a, b, "PERSON", 0.7))
        return out

    def _mid_unknown(self, text: str, a: int, b: int) -> bool:
        """text[a:b] is a capitalised word on no list right after a lower-case English word (not a handle,
        not a preposition of place or a copula: `at Bluefin`, `to Estonia`, `is Aegena` name places and
        firms) and before punctuation, the end or another English word (a word on no list there is
        another language: `ni Furukawa yuuki`)."""
        m = _PREV_WORD.search(text, max(0, a - 24), a)
        if m is None or (m.group(1) not in self.words and m.group(1) not in _SPEECH) or m.group(1) in _NOT_BEFORE_UNKNOWN:
            return False
        word = text[a:b]
        if not self._unknown(word) or _plain(word.lower()) in self.first or _TRIPLE.search(word):
            return False
        if _PLACE_PREP.search(text, max(0, a - 8), a) or self.in_place(text, a, b) or _STATE_OR_NUMBER.match(text, b):
            return False
        if not (_VERB_AFTER.match(text, b) or _POSS_AFTER.match(text, b)
                or (m.group(1) in _SPEECH and (b == len(text) or text[b] in ".,;!?"))):
            return False
        # ... in an English sentence: the lower-case words before it are English words (next week Parijs,
        # en ...: Dutch around a place).
        before = _LOWER_WORDS.findall(text, max(0, a - 60), a)[-6:]
        return sum(w not in _SPEECH and self._unknown(w) for w in before) * 4 <= len(before)

    def _plain_name(self, low: str, lists) -> bool:
        """`low` is on one of `lists` and is no common English word (web2 has it only capitalised, or not)."""
        return (len(low) >= 3 and low not in self.lower_words and low not in _COMMON and low not in _NOT_SLOT
                and any(low in x for x in lists))

    def _casual(self, text: str, found: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
        """Names as tweets write them: lower case (naomi ryan, saw tanya), all capitals (KEVIN DURANT)."""
        out = _Spans(found)
        free = out.free
        # naomi ryan: a first name and a surname, neither a common word
        for m in _LOWER_PAIR.finditer(text):
            a, b = m.start(), m.end(2)
            f, l = m.group(1), m.group(2)
            if ((self._plain_name(f, (self.first,)) or (f in self.first and f not in _COMMON and f not in _FUNCTION_WORDS
                                                         and self._plain_name(l, (self.last,)) and l not in self.words))
                    and self._plain_name(l, (self.last, self.first)) and free(a, b)):
                # maria gonzalez: a first name that is also a word (maria, web2's plural of mare) before a
                # surname that is none
                out.append((a, b, "PERSON", 0.7))
        # this is mrs patterson, ask for dr okafor: a lower-case title before a surname
        for m in (_LOWER_TITLE.finditer(text) if "m" in text or "d" in text else ()):
            a, b = m.span(2)
            w = _plain(m.group(2))
            if w in _NOT_SLOT or w in _FUNCTION_WORDS or w in _NOT_AFTER_TITLE or not free(m.start(), b):
                continue
            if m.group(1) == "miss" and w in self.lower_words:
                continue  # miss home, miss school: the verb
            if w in self.last or w in self.rare or (len(w) >= 4 and self._unknown(w)):
                out.append((m.start(), b, "PERSON", 0.7))
        # saw tanya today: a lone first name that is no common word
        for m in _LOWER_ONE.finditer(text):
            a, b = m.span()
            w = m.group()
            before = text[max(0, a - 12):a].split()
            if len(w) < 4 or w in _SLANG or not self._plain_name(w, (self.first,)) or any(
                    w.endswith(e) and w[:-len(e)] + r in self.lower_words for e, r in (("s", ""), ("es", ""), ("ing", ""))):
                continue
            if before and (before[-1] in _PLACE_BEFORE or before[-1] in ("of", "in", "at", "from", "near")) or self.in_place(text, a, b):
                continue
            if text[b:b + 1] == " " and text[b + 1:b + 2].isdigit():
                continue
            if free(a, b):
                out.append((a, b, "PERSON", 0.65))
        # KEVIN DURANT in a shout: both on the lists, neither a word
        for m in _CAPS_PAIR.finditer(text):
            a, b = m.start(), m.end(2)
            f, l = m.group(1).lower(), m.group(2).lower()
            if self._plain_name(f, (self.first,)) and self._plain_name(l, (self.last,)) and free(a, b):
                out.append((a, b, "PERSON", 0.7))
        # RACHELLE, ELLEN in capitals inside a text that is not shouted: a first name that is no common word
        for m in (_CAPS_ONE.finditer(text) if _HAS_LOWER.search(text) else ()):
            a, b = m.span()
            low = m.group().lower()
            if (self._plain_name(low, (self.first,)) and low not in _BRANDS and low not in self.countries
                    and not _CAPS_ONE.match(text, b + 1) and not _CAPS_ONE.search(text, max(0, a - 14), max(0, a - 1))
                    and not _WORD_BEFORE.search(text, max(0, a - 24), a) and not (text[b:b + 1] == " " and text[b + 1:b + 2].isupper())
                    and free(a, b)):  # not part of a longer capitalised name (Fremont BART Station)
                out.append((a, b, "PERSON", 0.65))
        # Kevin, Tanya anywhere: a first name that is no common word, outside places and firms
        for m in _SINGLE.finditer(text):
            a, b = m.span()
            low = m.group().lower()
            if not self._plain_name(low, (self.first,)) or not free(a, b) or low in _BRANDS or low in _SLANG \
                    or low in _INTERJECTIONS:
                continue
            if _STATE_OR_NUMBER.match(text, b) or (low in self.last and text[max(0, a - 2):a] == ", "
                                                   and not _LOWER_BEFORE_COMMA.search(text, max(0, a - 24), a)):
                continue  # Columbus , GA; France 35910; Lopez, Santos and Coleman (not: this girl , Claire)
            if text[b:b + 1] == " " and text[b + 1:b + 2].isupper():
                continue
            if _PLACE_PREP.search(text, max(0, a - 8), a) or self.in_place(text, a, b) or in_business_list(text, a, b):
                continue
            out.append((a, b, "PERSON", 0.65))
        return out


    def _slots(self, text: str, found: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
        """Names in slots (after `under`, `transfer $40 to`...), physicians' entries, lists of first names,
        a record's first line, a speaker's turn."""

        out = _Spans(found)
        free = out.free

        for m in _SLOT_WORD.finditer(text):
            a, b = m.span()
            if a < 3 or text[a - 1] != " ":
                continue
            full_only = not _SLOT_CUE.search(text, max(0, a - 60), a + 1)
            if full_only and not _DELIVERY_TO.search(text, max(0, a - 20), a + 1):
                continue
            words = m.group().replace("-", " ").split()
            if words[0].lower() in _TITLE_WORDS:
                continue  # my father Mr. Hoang: the title opens a name the other rules read
            # After `call me`, `my name is`: a first name even when it is a common word (Mark, Christian).
            strong = _STRONG_CUE.search(text, max(0, a - 24), a) is not None
            # After a relative (`my mother, Linda Park`): a census surname even when it is a common word.
            kin = len(words) == 2 and _KIN_CUE.search(text, max(0, a - 24), a) is not None

            def person(w: str) -> bool:
                return self._person_word(w, True) or (strong and _plain(w.lower()) in self.first)

            kin_name = kin and person(words[0]) and _plain(words[1].lower()) in self.last
            cut = False
            if not kin_name and (not all(person(w) for w in words) or self.in_place(text, a, b)):
                cut = strong and len(words) > 1 and _plain(words[1].lower()) in self.common
                words = words[:1]
                if not person(words[0]) or self.in_place(text, a, a + len(words[0])):
                    continue
                b = a + len(words[0])
            if _longer_name(text, b) and not cut:
                # Orthoworks Invisalign And Orthodontic Group: a longer, capitalised name (but `my name is
                # Grace Thanks`: a common word opening the next sentence)
                continue
            if full_only and len(words) < 2:
                continue
            if free(a, b):
                out.append((a, b, "PERSON", 0.75))
        for m in _ROLE_NAME.finditer(text):
            a, b = m.span(1)
            if self._person_word(m.group(1), True) and not (_longer_name(text, b)) \
                    and free(a, b):
                out.append((a, b, "PERSON", 0.75))  # Technician Faizal came twice, Rider Arjun picked it up
        for m in (_PAY_SLOT.finditer(text) if " to " in text or " with " in text or " of " in text or "end" in text or "ay" in text else ()):
            a, b = m.span(1)
            low = _plain(m.group(1).lower())
            if (low in _COMMON and low not in self.first) or low in _NOT_SLOT or low in _BRANDS or low in _PLACE_AFTER or (
                    low in _PLACE_BEFORE or low in _ACCOUNT_WORDS) or _STATE_OR_NUMBER.match(text, b):
                continue
            if _longer_name(text, b):
                continue  # transfer it to Wells Fargo: a longer, capitalised name
            if free(a, b):
                out.append((a, b, "PERSON", 0.75))  # send $40 to Grace, the checking account of Amir
        for cue in (_LOWER_CUE.finditer(text) if "me " in text or "ame" in text or "led " in text or " is " in text
                    or "it's " in text.lower() or "under " in text or "older" in text or "ecipient" in text else ()):
            py = _LOWER_PINYIN.match(text, cue.end())
            if py is not None and py.group(1) in PINYIN_SURNAMES and _PINYIN_GIVEN.fullmatch(py.group(2)) and (
                    py.group(2) not in (self.words if cue.group(1) is not None else self.lower_words)
                    or (cue.group(1) is None and len(py.group(2)) <= 3)) and free(*py.span()):
                # her name is li na, my name is wang xiaoming, this is chen jie: a Chinese name in lower-case
                # pinyin (after `this is`, a given name that is no English word: not `this is an ai`).
                out.append((py.start(), py.end(), "PERSON", 0.7))
                continue
            # it's john, john miller: a name said again, whole, is read from its second saying; the first
            # saying is found with it.
            again = _LOWER_AGAIN.match(text, cue.end())
            m = _LOWER_WORD.match(text, cue.end() if again is None else again.start(2))
            if again is not None and free(*again.span(1)) and m is not None and (
                    m.group().split(" ", 1)[0] == again.group(1) and again.group(1) in self.first
                    and again.group(1) not in _COMMON):
                out.append((again.start(1), again.end(1), "PERSON", 0.7))
            if m is not None:
                a, b = m.span()
                words = [w.split("-")[0] for w in m.group().replace("'", "").split()]  # the lists' spelling
                first_end = a + len(m.group().split(" ", 1)[0])  # as written (o'connor, mary-jane)
                if cue.group(1) is not None:  # this is / it is: a caller's full name, or a first name calling
                    first = words[0] in self.first and words[0] not in _COMMON
                    # A census surname after a census first name, also one that is a common word (it's john
                    # miller): a first name alone opens few phrases of this kind.
                    full = len(words) > 1 and ((words[1] in self.last and words[1] not in _NOT_SLOT
                                                and words[1] not in _GREETING_WORDS)
                                               or (words[1] in self.rare and self._unknown(words[1])))
                    if not first and _GREETED_CALLER.search(text, max(0, cue.start() - 24), cue.start()):
                        # hi it's pádraig calling, kia ora it's tane wihongi, hi it's bill okafor: a caller
                        # greeting, then a word on no list of English words, or a first name that is a common
                        # word before a surname that is none
                        unlisted = len(words[0]) >= 4 and words[0] not in self.words and words[0] not in _SLANG
                        first = unlisted or (len(words) > 1 and words[0] in self.first and (
                            words[1] in self.last or words[1] not in self.words)
                            and words[1] not in _COMMON and words[1] not in self.lower_words)
                        full = full or (len(words) > 1 and len(words[1]) >= 4 and words[1] not in self.words)
                        if first and not full and not (_CALLER_AFTER.match(text, first_end)
                                                       or text.startswith(",", first_end)):
                            continue
                    if first and full and free(a, b):
                        out.append((a, b, "PERSON", 0.7))
                    elif first and (_CALLER_AFTER.match(text, first_end) or text.startswith(",", first_end)
                                    and _GREETED_CALLER.search(text, max(0, cue.start() - 24), cue.start())) \
                            and free(a, first_end):
                        out.append((a, first_end, "PERSON", 0.7))
                    continue
                # A name on the census lists, or a word on no list of English words (vitoria, višeslav) after
                # a cue that names (`my name is`, `people call me`; a bare `call me` is followed by asap, anytime).
                # `under the name of garcia`: after `under the name`, a surname alone too.
                named_under = cue.group(2) is not None and "name" in cue.group(2).lower()
                loose = (cue.group(2) is None or named_under) and (
                    not cue.group().lower().startswith("call")
                    or _NAMING_CALL.search(text, max(0, cue.start() - 12), cue.start()) is not None)
                unknown = loose and self._unknown(words[0])
                surname = named_under and words[0] in self.last and words[0] not in _COMMON
                # After `name is`: a first name that is a common word too, when a surname on the census list or
                # a word on no list follows (full name is grace atieno owino; not `name is will be`).
                common_first = (cue.group().lower().startswith(("name", "surname")) and len(words) > 1
                                and words[0] in self.first and words[1] not in _COMMON and words[1] not in _NOT_SLOT
                                and (words[1] in self.last or (len(words[1]) >= 4 and self._unknown(words[1]))))
                if (words[0] in self.first and words[0] not in _COMMON) or unknown or surname or common_first:
                    # The surname: on the census lists, or a word on no list (lena andersson, vitoria višeslava).
                    # After `my name is` a census surname that is also a common word too (kevin brown).
                    naming = cue.group(2) is not None or re.match(
                        r"(?:sur)?name(?: is|'s| on)|(?:account|card) ?holder|recipient", cue.group(), re.I) is not None
                    if len(words) > 1 and not ((words[1] in self.last and (naming or words[1] not in _COMMON)
                                                and words[1] not in _NOT_SLOT) or (
                            (unknown or len(words[1]) >= 4) and self._unknown(words[1]))):
                        b = first_end
                    if free(a, b):
                        out.append((a, b, "PERSON", 0.7))
        for m in (_LOWER_SLOT.finditer(text) if " to " in text or " with " in text or " of " in text else ()):
            a, b = m.span(1)
            w = m.group(1)
            money = "$" in m.group() or "bucks" in m.group() or "dollars" in m.group()
            if (w in _COMMON and not (money and w in self.first)) or w in _NOT_SLOT or w in _ACCOUNT_WORDS or not (w in self.first or w in self.proper or w not in self.words):
                continue
            if w not in self.first and not self._unknown(w) and w not in self.proper:
                continue
            if free(a, b):
                out.append((a, b, "PERSON", 0.7))
        for m in _KIN_LOWER.finditer(text):
            a, b = m.span(2)
            w = _plain(m.group(2).lower())
            if m.group(1) is not None:  # thanked or greeted: a census first name only
                ok = w in self.first and w not in _COMMON and w not in _ADDRESS_WORDS
            else:  # a word on no list must not read as a verb after its subject (`my mom slapped`, `my son texts`)
                # (a census first name that is a common word too, when capitalised: my daughter Summer)
                ok = (w in self.first and (w not in _COMMON or m.group(2)[:1].isupper())) or (
                    len(w) >= 4 and w not in _INTERJECTIONS and w not in _SLANG and not w.endswith(("ed", "ing", "s"))
                    and self._unknown(w) and not self._common_word(w))
            # A surname in the same case as the first name (`Oluwaseun picked`: a verb after a name)
            same_case = m.group(3) is not None and m.group(3)[:1].isupper() == m.group(2)[:1].isupper()
            last = _plain(m.group(3).lower()) if same_case else None
            if ok and last is not None and ((last in self.last and last not in _COMMON and last not in self.lower_words)
                                            or (len(last) >= 4 and self._unknown(last) and not self._common_word(last))):
                b = m.end(3)  # eleanor hughes: a census surname or a word on no list after it
            if ok and free(a, b):
                out.append((a, b, "PERSON", 0.7))
        for m in (_POSSESSIVE.finditer(text) if "'" in text else ()):
            a, b = m.span(1)
            low = _plain(m.group(1).lower())
            if low in _COMMON or low in _BRANDS or self.in_place(text, a, b) or text[b + 2:b + 4].lower() in (" i", " r") or (
                    in_business_list(text, a, b)):
                continue
            if low not in self.first and _PLACE_OWNS.match(text, b):
                continue  # Edinburgh's Princes Street store
            if (low in self.first or (len(low) >= 4 and self._unknown(m.group(1)) and low not in self.proper)) and free(a, b):
                out.append((a, b, "PERSON", 0.7))  # Amir's account, Paul 's house
        for m in (_PAIR.finditer(text) if " and " in text or " & " in text else ()):
            for g in (1, 2):
                if m.group(g) is None:
                    continue
                a, b = m.span(g)
                low = _plain(m.group(g).lower())
                if m.group(1) is not None and m.group(2) is not None:
                    other = _plain(m.group(3 - g).lower())
                    if not (other in self.first or other in ("me", "i")) or low in ("me", "i"):
                        continue
                if low in _COMMON or low in _NOT_SLOT or low not in self.first:
                    continue
                if low in self.last or text[max(0, m.start() - 2):m.start()] == ", " or in_business_list(text, m.start(), m.end()):
                    continue  # Jones, Mitchell and Williams; Santos and Coleman: firms
                if free(a, b) and not self.in_place(text, a, b):
                    out.append((a, b, "PERSON", 0.7))
        for m in (_MD.finditer(text) if " MD" in text or "M.D." in text else ()):
            if any(w[0].islower() and not self._unknown(w) for w in _MD_WORD.findall(m.group())):
                continue  # `is an MD`: a lower-case English word, not a directory entry
            if free(*m.span()):
                out.append((m.start(), m.end(), "PERSON", 0.8))
        for m in (_LIST.finditer(text) if ", " in text and (" and " in text or " & " in text) else ()):
            items = [(w.start() + m.start(), w.end() + m.start()) for w in re.finditer(r"[^\s,]+", m.group())
                     if w.group() not in ("and", "&")]
            lows = [text[a:b].lower() for a, b in items]
            if _PEOPLE_BEFORE.search(text, max(0, m.start() - 40), m.start()) and all(
                    text[a:a + 1].isupper() and _name_cased(text[a:b]) and w not in _FIRMS
                    for (a, b), w in zip(items, lows)):
                # After founders:, the passengers are, my kids…: every capitalised item is a person (Reed and
                # White too).
                for a, b in items:
                    if free(a, b):
                        out.append((a, b, "PERSON", 0.7))
                continue
            known = sum(w in self.first and w not in _COMMON for w in lows)
            if known * 2 <= len(items) or text[max(0, m.start() - 3):m.start()] == "at " or text[m.end():m.end() + 5] in (" is a", " Inc.", " LLC", " & Co"):
                continue
            for (a, b), w in zip(items, lows):
                if (w in self.first or self._unknown(text[a:b])) and w not in _COMMON and free(a, b):
                    out.append((a, b, "PERSON", 0.7))
        for rx in (_HEAD, _SPEAKER) if "\n" in text or ":" in text or "  " in text or " >" in text else ():
            for m in rx.finditer(text):
                a, b = m.span(1)
                words = m.group(1).split()
                w0 = _plain(words[0].lower())
                if w0 in _COMMON:
                    # A first name that is also a word: heading a record before a surname that is none
                    # (Mark Muslija, not Grace Period), or opening a quoted turn (Amber: "…", not Summer:).
                    last = _plain(words[-1].lower())
                    record = (rx is _HEAD and len(words) > 1 and w0 in self.first
                              and (last in self.last or last in self.rare or self._unknown(words[-1]))
                              and last not in self.lower_words and last not in _COMMON)
                    speaker = rx is _SPEAKER and w0 in self.first and w0 not in _NOT_FIRST_COMMON
                    if not (record or speaker):
                        continue
                elif not (w0 in self.first or self._unknown(words[0])):
                    continue
                # Heading a record whose next line starts with a number (its street or phone), a census
                # first name's surname may be an old English word (Lara Pottinger; web2 lists pottinger).
                addressed = (rx is _HEAD and w0 in self.first and w0 not in _COMMON
                             and _RECORD_NEXT.match(text, b) is not None)
                if len(words) > 1 and not all(w.endswith(".") or self._person_word(w) or
                                              _plain(w.lower()) in self.last or (addressed and _plain(w.lower()) not in
                                                                                 _NOT_RECORD_SURNAME)
                                              for w in words[1:]):
                    continue
                if free(a, b):
                    out.append((a, b, "PERSON", 0.75))
        return out


def _longer_name(text: str, b: int) -> bool:
    """A capitalised word follows text[:b] (Orthoworks Invisalign And…: part of a longer name), the pronoun
    `I` aside (`the delivery guy, Mohammed I think`)."""
    return text[b:b + 1] == " " and text[b + 1:b + 2].isupper() and not (
        text[b + 1:b + 2] == "I" and not text[b + 2:b + 3].isalpha())


class _Spans(list):
    """Spans found, with the set of characters they cover: `free` is O(span length), not O(spans)."""

    def __init__(self, found: list[tuple[int, int, str, float]]) -> None:
        super().__init__()
        self.used = {i for a, b, _, _ in found for i in range(a, b)}

    def append(self, span: tuple[int, int, str, float]) -> None:
        self.used.update(range(span[0], span[1]))
        super().append(span)

    def free(self, a: int, b: int) -> bool:
        return self.used.isdisjoint(range(a, b))


# Romanised Chinese place names whose syllables read as a name (Hong + Kong, Yau + Ma Tei): Hong Kong's
# districts and areas, Taiwan's cities and Taipei's districts, mainland cities written in two syllables.
_ROMANISED_PLACES = (
    "hong kong", "kowloon", "kowloon tong", "kowloon bay", "wan chai", "yau ma tei", "yau tsim mong", "mong kok",
    "sham shui po", "kwun tong", "sai kung", "tai po", "sha tin", "tuen mun", "yuen long", "tsuen wan",
    "kwai chung", "kwai tsing", "tsing yi", "tung chung", "ma on shan", "tseung kwan o", "tai koo", "quarry bay",
    "shau kei wan", "chai wan", "sheung wan", "sai wan", "sai ying pun", "ap lei chau", "wong tai sin", "lok fu",
    "kai tak", "to kwa wan", "hung hom", "ho man tin", "tai wai", "fo tan", "tai wo", "fanling", "sheung shui",
    "lo wu", "tsim sha tsui", "tai kok tsui", "cheung sha wan", "lai chi kok", "mei foo", "kwai fong",
    "tin shui wai", "lamma", "cheung chau", "lantau", "mui wo", "tai o", "siu sai wan",
    "fortress hill", "tin hau", "north point", "kennedy town",
    "hang seng",  # the bank and its index (恒生), named like a person
    "pok fu lam", "wong chuk hang", "shek kip mei", "tai hang", "so kon po", "ngau tau kok", "kowloon city",
    "san po kong", "choi hung", "ngau chi wan", "lam tin", "yau tong", "tiu keng leng", "hang hau", "po lam",
    "taipei", "tai pei", "new taipei", "taichung", "tai chung", "kaohsiung", "kao hsiung", "tainan", "tai nan",
    "hsinchu", "hsin chu", "taoyuan", "tao yuan", "keelung", "ji long", "chiayi", "chia yi", "hualien", "hua lien",
    "yilan", "yi lan", "pingtung", "ping tung", "taitung", "tai tung", "nantou", "nan tou", "changhua",
    "chang hua", "miaoli", "miao li", "yunlin", "yun lin", "xinyi", "xin yi", "da an", "zhongzheng",
    "zhong zheng", "zhongshan", "zhong shan", "songshan", "song shan", "neihu", "nei hu", "shilin", "shi lin",
    "beitou", "bei tou", "wanhua", "wan hua", "datong", "da tong", "nangang", "nan gang", "wenshan", "wen shan",
    "banqiao", "ban qiao", "sanchong", "san chong", "xindian", "xin dian", "tamsui", "dan shui",
    "bei jing", "shang hai", "guang zhou", "shen zhen", "hang zhou", "nan jing", "su zhou", "xia men", "qing dao",
    "da lian", "tian jin", "wu han", "cheng du", "chong qing", "xi an", "zhu hai", "dong guan", "fo shan",
    "ning bo", "kun ming", "chang sha", "zheng zhou", "ji nan", "he fei", "fu zhou", "nan ning", "hai kou",
    "san ya", "lan zhou", "xi ning", "yin chuan", "ha er bin", "chang chun", "shen yang", "shi jia zhuang",
    "tai yuan", "gui yang", "la sa", "wu xi", "chang zhou", "wen zhou", "jin hua", "shao xing", "tai zhou",
    "yang zhou", "nan tong", "xu zhou", "yan tai", "wei hai", "jiang men", "hui zhou", "shan tou",
    "zhan jiang", "macau", "macao", "taipa", "coloane",
)
_ROMANISED_SET = frozenset(_ROMANISED_PLACES)
_ROMANISED_WORDS = max(len(p.split()) for p in _ROMANISED_PLACES)
_LATIN_RUN = re.compile(r"[A-Za-z]+")


# What a shop or a brand named after a person sells or runs: the name before it is the brand's.
_PRODUCT_AFTER = re.compile(r"(?:['’]s(?: own)?)?[^\S\n]*(?:的)?[^\S\n]*(?i:gift[ -]?cards?|stores?|shops?|outlets?|boutiques?|"
                            r"counters?|concessions?|bags?|handbags?|jackets?|coats?|shirts?|polo|jeans|shoes|trainers|"
                            r"sneakers|dress(?:es)?|suits?|watch(?:es)?|perfume|fragrance|aftershave|cologne|products?|"
                            r"website|app|brand|collection|range|restaurants?|burgers?|coffee|sale)(?![A-Za-z])")
# A sign-off and the writer's name ending the text.
_SIGNED = re.compile(rf"(?<![A-Za-z])(?i:thanks|thank you|many thanks|regards|kind regards|best regards|warm regards|best|"
                     rf"best wishes|cheers|sincerely|yours sincerely|yours truly|thx|ta)(?![A-Za-z])[,!.]?[^\S\n]*\n?[^\S\n]*"
                     rf"((?:{_WORD}|[a-z]{{3,}})(?:[^\S\n]+{_WORD}){{0,2}})[^\S\n]*[.!]?$")
_DASH_SIGNED = re.compile(rf"(?:^|[^\S\n])[-–—~][^\S\n]?({_WORD}|[a-z]{{3,}})[^\S\n]*$")
# A venue's last word (a surname too rarely to count: Hall, Villa and Lodge are not here; words are
# compared without accents).
_VENUE_ENDS = frozenset("house kitchen room rooms cafe restaurant bakery bistro grill tavern pub deli diner lounge "
                        "hotel motel inn salon studio mall plaza market centre center tower towers mansion".split())
# Words that end or follow a firm's name (Nexa Telecom, Maple Ridge Credit Union), unless a census surname.
_FIRM_ENDS = frozenset("inc ltd llc llp plc corp co gmbh pty bhd sdn ag sa srl bv nv kk".split())
_CHAT_WORDS = frozenset("asap pls plz thx thnx ty np idk imo fyi tbh brb ttyl".split())
_AND_NAME_AFTER = re.compile(r" (?:and|&) ([A-Z][a-z]+)")
_COUNTRY_AFTER = re.compile(r", ?([A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)?)")
_FIRM_WORDS = frozenset("telecom telecoms telco telecommunications bank banking insurance assurance insure energy "
                        "credit union federal mutual airlines airways broadband fiber fibre healthcare dental surgery "
                        "pharmacy utilities water gas electric electricity wireless travel holidays tours "
                        "rewards logistics finance financial savings motors automotive realty homes scheme fund "
                        "services solutions systems group limited ltd inc llc plc corp corporation company co capital "
                        "technologies networks communications cable internet".split())


def _firm(last: str, after: list[str], surnames: frozenset[str]) -> bool:
    low = last.lower().strip(".,")
    nxt = after[0].lower().strip(".,;:!?") if after else ""
    return (low in _FIRM_WORDS and low not in surnames) or (nxt in _FIRM_WORDS and nxt not in surnames)


# A word spelled with aids: single letters, `double L`, `F as in foxtrot`, NATO words, with commas, spaces,
# `then`, `apostrophe` and `dash` between them; four letters at least.
_NATO = NATO | {"x-ray"}
_NATO_RE = "|".join(sorted(_NATO, key=len, reverse=True))
_AIDED_ONE = (r"(?<![A-Za-z])(?:(?i:double|triple|capital|small|big) [A-Za-z](?![A-Za-z])|[A-Za-z](?: (?i:as in|for|like) [A-Za-z]+)?"
              r"(?![A-Za-z'’])|(?i:" + _NATO_RE + r")(?![A-Za-z]))")
_NATO_SEEN = re.compile(r"(?<![A-Za-z])(?i:" + _NATO_RE + r"),? (?i:" + _NATO_RE + r")(?![A-Za-z])")
_AIDED_SEP = r"(?:,? (?:(?i:then|and|apostrophe|dash|hyphen|space),? )*|-)"
_AIDED_RUN = re.compile(r"(?<![A-Za-z0-9'’])" + _AIDED_ONE + r"(?:" + _AIDED_SEP + _AIDED_ONE + r"){3,30}")
_AIDED_TOKEN = re.compile(_AIDED_ONE)
_NAME_BEFORE = re.compile(r"(?i:name|surname|spell|spelt|spelled|that's)")
# What any aided spelling holds (looked for first: a long text without it is not scanned).
_AIDED_HINT = re.compile(r"[A-Za-z](?<![A-Za-z][A-Za-z])(?:,? |-)[A-Za-z](?:,? |-)[A-Za-z](?![A-Za-z])")
_DIGIT_WORDS = frozenset("zero oh one two three four five six seven eight nine ten double triple".split())
_TURN = re.compile(r"(?m)^[^\S\n]*(?:\[[0-9:.]{4,12}\][^\S\n]*)?([A-Za-z][A-Za-z ]{0,20}?)[^\S\n]*:")


# Who speaks in a transcript (a label said once may still be a turn when it names a speaker's role).
_SPEAKER_ROLES = frozenset(("agent", "rep", "caller", "customer", "client", "advisor", "adviser", "operator", "member",
                            "patient", "nurse", "receptionist", "pharmacist", "user", "support", "csr", "associate",
                            "officer", "clinic", "consultant", "engineer", "technician", "tech", "staff", "guest", "host",
                            "a", "b", "q"))


def _speakers(text: str) -> frozenset[str]:
    """The speakers' labels of a transcript (two or more lines opening with a label, two labels or more)."""
    if text.count("\n") < 1:
        return frozenset()
    labels = [m.group(1).lower() for m in _TURN.finditer(text)]
    if len(labels) < 2 or len(set(labels)) < 2:
        return frozenset()
    if len(set(labels)) == len(labels) and not any(label in _SPEAKER_ROLES or label.startswith("speaker")
                                                   for label in labels):
        return frozenset()  # NI no: ... / Employee: Callum Reid: a record's fields, each once, no turns
    return frozenset(labels)


def _shouted(text: str) -> bool:
    """Most letters in capitals, none Chinese (a message typed in caps lock, `customer: MY NAME IS ...`)."""
    upper = sum(map(str.isupper, text))
    return upper >= 8 and upper >= 2 * sum(map(str.islower, text)) and not _HAS_CJK.search(text)


def _in_romanised_place(text: str, a: int, b: int) -> bool:
    """Whether text[a:b] lies inside a place of _ROMANISED_PLACES (words looked up a few at a time)."""
    words = [(m.start() + max(0, a - 24), m.group().lower()) for m in _LATIN_RUN.finditer(text[max(0, a - 24):b + 24])]
    first = next((i for i, (s, _) in enumerate(words) if s >= a), None)
    if first is None:
        return False
    last = max((i for i, (s, _) in enumerate(words) if s < b), default=None)
    if last is None:
        return False  # no Latin word in text[a:b] (김민지)
    for i in range(max(0, last - _ROMANISED_WORDS + 1), first + 1):
        for j in range(max(i, last), min(len(words), i + _ROMANISED_WORDS)):
            if " ".join(w for _, w in words[i:j + 1]) in _ROMANISED_SET:
                return True
    return False


# Slang and other languages' words that the first-name lists hold (ima = I'm gonna; yung, lang: Tagalog).
_SLANG = frozenset("ima ina yung lang soo ute hang "
                   # Singlish and Manglish (card kena swallow, can or not lah)
                   "kena lah lor leh meh sia walao alamak shiok paiseh makan tapau jialat sian".split())
_REPEATED = re.compile(r"([a-z]{1,3})\1{2,}[a-z]?")  # hahahaha, lololol
_STATE_OR_NUMBER = re.compile(r" ?(?:, ?[A-Z]{2}(?![A-Za-z])|\d)")
_LOWER_TITLE = re.compile(r"(?<![A-Za-z0-9'])(mr|mrs|ms|miss|dr|mister)\.? ([a-z][a-z'-]{1,20})(?![A-Za-z0-9'-])")
# Words after a lower-case title that name a product or a thing, not a person (ms word, dr pepper).
_NOT_AFTER_TITLE = frozenset("word excel teams office outlook pepper clean bean right wrong universe world potato "
                             "freeze fix fixit it you me him her them".split())
_LOWER_PAIR = re.compile(r"(?<![A-Za-z0-9@#_.'-])([a-z]{3,})(?= ([a-z]{3,})(?![A-Za-z0-9_@'-]))")
_LOWER_ONE = re.compile(r"(?<![A-Za-z0-9@#_.'/-])[a-z]{3,}(?![A-Za-z0-9_@'/-])")
_HAS_LOWER = re.compile(r"[a-z]")
_CAPS_ONE = re.compile(r"(?<![A-Za-z0-9@#_.'&-])[A-Z]{4,12}(?![A-Za-z0-9_@'&-])")
_CAPS_PAIR = re.compile(r"(?<![A-Za-z0-9@#_.'-])([A-Z]{3,})(?= ([A-Z]{3,})(?![A-Za-z0-9_@'-]))")
# The lower-case word before a capitalised one, and the word after it (see EnglishNames._mid_unknown).
_PREV_WORD = re.compile(r"(?<![A-Za-z0-9@#_'-])([a-z]+),? $")
_POSS_AFTER = re.compile(r" ?' ?s ")
_LOWER_WORDS = re.compile(r"(?<![A-Za-z@#_])[a-z]+(?![A-Za-z])")
_NOT_BEFORE_UNKNOWN = frozenset((
    "at to of for in into from near about the a an vs on by like as under over visit visiting travelling "
    "traveling toward towards is are was were"
).split())
_TRIPLE = re.compile(r"(.)\1\1")
# A name word right before a name (with an initial between), or right after one (see EnglishNames._grow).
_WORD_BEFORE = re.compile(rf"(?<![A-Za-z0-9@#_.'{_UP}{_LOW}-])([{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?) (?:[A-Z]\. )?$")
_WORD_AFTER = re.compile(rf" ([{_UP}{_LOW}][{_LOW}]+){_NAME_END}")
_AT_PLACE = re.compile(r"(?<![A-Za-z])(?:from|in|near|into|at) $")
_PLACE_PREP = re.compile(r"(?<![A-Za-z])(?:from|in|near|into) $")
_LOWER_BEFORE_COMMA = re.compile(r"(?<![A-Za-z])[a-z]{2,} , $")  # tokenised text: `this girl , Claire`
_BUSINESS_LIST = re.compile(r"[A-Z][a-z]+, [A-Z][a-z]+,? and $")


_HAS_CJK = re.compile("[\u3400-\u9fff]")
# A form or record field that holds a person's name, whatever the words (`"first_name": "Hiroshi"`,
# `last_name=Tanaka`, `Name - Sai Krishna Reddy`, `Employee: Callum Reid`): JSON and query-string keys
# anywhere, `Key: value` / `Key - value` opening a line or after a field separator.
_NAME_KEY = (r"(?:(?:first|last|given|family|full|middle|customer|cust|contact|holder|card_?holder|account_?holder|"
             r"recipient|patient|employee|guest|passenger|billing|shipping|sender|receiver|legal|display)[_ -]?name|"
             r"surname|forename|fname|lname|name|employee|cardholder|recipient|passenger|patient|addressee|"
             r"contact[_ ]person|receiver|consignee|sender|shipper|buyer|customer|policyholder|insured|traveller|"
             r"traveler)")
# Keys that hold a thing as often as a person: their value must read as a name.
_LOOSE_KEYS = frozenset("name receiver consignee sender shipper buyer customer".split())
_NAME_VALUE = r"([^\W\d_][^\W\d_'’.-]*(?:(?: |, |\. ?|['’-])[^\W\d_][^\W\d_'’.-]*){0,4})"
_FIELD = re.compile(r"(?i:\"" + _NAME_KEY + r"\"\s*:\s*\"" + _NAME_VALUE + r"\"|(?<![A-Za-z_])" + _NAME_KEY + r"=" + _NAME_VALUE
                    + r"(?=&|\s|$)|(?:^|(?<=[\n;|]))[^\S\n]*" + _NAME_KEY + r"[^\S\n]*(?::|：| - | – )[^\S\n]*" + _NAME_VALUE
                    + r"[^\S\n]*(?=\n|$|[;|]| {2}))")
_FIELD_HINT = re.compile(r"(?i:name|employee|holder|recipient|passenger|patient|addressee|contact|receiver|consignee|"
                         r"sender|shipper|buyer|customer|insured|traveller|traveler)[\"_ ]?[:=：–-]")
# States and provinces, not people (Calgary, Alberta), less those that are common first names too (Georgia,
# Victoria: _COMMON keeps them from cue-less rules).
_REGIONS = frozenset((
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware", "hawaii",
    "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky", "louisiana", "maine", "maryland",
    "massachusetts", "michigan", "minnesota", "mississippi", "missouri", "montana", "nebraska", "new hampshire",
    "new jersey", "new mexico", "north carolina", "north dakota", "ohio", "oklahoma", "oregon", "pennsylvania",
    "rhode island", "south carolina", "south dakota", "tennessee", "texas", "utah", "vermont", "west virginia",
    "wisconsin", "wyoming", "alberta", "british columbia", "manitoba", "new brunswick", "newfoundland",
    "nova scotia", "ontario", "quebec", "saskatchewan", "yukon", "new south wales", "queensland", "tasmania",
    "northern territory", "western australia", "south australia"))
# A place's field (`City: Eugene`, `State: Georgia`): its value is no person.
# How English surnames end that are made of two words (Blackmoor, Greenfield, Ashworth, Whitehouse).
_SURNAME_ENDS = ("moor", "more", "wood", "field", "ford", "worth", "ham", "ton", "ley", "land", "stone", "brook",
                 "well", "bury", "burn", "dale", "hill", "house", "man", "mann", "son", "wick", "combe", "ridge",
                 "shaw", "gate", "ward", "smith", "wright", "water", "head", "berg", "stein", "low", "by",
                 "side", "thorpe", "hurst", "croft", "holme", "lock", "wing", "ring", "bourne", "mouth", "bridge")
# A flight's number right before and a route's `to` after (QF1 Sydney to London, NH 919，Tokyo Haneda 飞上海):
# the place it flies from (not `ref AB 1234 Mark Evans called`).
_ROUTE_AFTER = re.compile(r"[^\S\n]*(?:to[^\S\n]|飞|飛|→|->)")
_FLIGHT_BEFORE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{2}|[A-Z][0-9]|[0-9][A-Z])[^\S\n]?(?:[0-9]{1,4}|(?i:one|two|three|"
                            r"four|five|six|seven|eight|nine|ten))[^\S\n]*[,，]?[^\S\n]*$")
# A meeting room or a lounge by its name (Jade Room, the Rose Garden Room).
_ROOM_LAST = frozenset(("room", "rooms", "lounge", "suite"))
_PLACE_FIELD = re.compile(r"(?i:city|town|state|province|country|county|region|suburb)[^\S\n]*[:：=-][^\S\n]*$")
# Where a capitalised word is a place, not a person: after `in` (the outage in Grey Lynn, customers in
# Ponsonby; nobody is `in` a person), after a journey's `to` (flight EK 413 to Sydney, moving to Darwin),
# after 在, 喺 or a word for going or sending to (发往 Sydney), after a room's name (Conference Room Everest,
# 会议室 Everest: `Room` capitalised, the room Maria booked aside); and before a site word (the Surry Hills
# branch, Dublin Airport desk).
_PLACE_CONTEXT = re.compile(r"(?:(?<![A-Za-z'’])(?i:in|near|outside|around)|(?<![A-Za-z])(?i:flights?|fly|flying|flew|travel\w*|"
                         r"trip|relocat\w+|bound|heading|departing|returning)"
                         r"(?:[^\S\n]+[\w'’-]+){0,5}?[^\S\n]+(?i:to|for|from)|[在喺]|[发寄飞运]往|前往|抵达|"
                         r"(?<![A-Za-z])(?:Room|ROOM|Boardroom)|会议室|會議室)[^\S\n]*(?:[A-Z][a-z]+,?[^\S\n]+(?:and[^\S\n]+)?){0,3}$")
# A word that spells a letter (C for Charlie, S as in Sam): no person.
_AID_BEFORE = re.compile(r"(?<![A-Za-z])[A-Za-z][^\S\n]+(?i:for|as in)[^\S\n]+$")
# A firm named twice over (Johnson & Johnson): the name, `&` and the same again (`Karina and Karina` are
# the same person said twice).
_AND = re.compile(r"[^\S\n]*&[^\S\n]*")
_AND_BEFORE = re.compile(r"[^\S\n]*&[^\S\n]*$")
# A ward, a gate or a bay with its number (Ward 9, Gate B14): a place in a building, however named.
_NUMBERED_PLACE = re.compile(r"(?:Ward|Gate|Bay|Bed|Platform|Level|Floor|Suite|Block|Court|Terminal|Pier|Dock|Stand|Room|Wing)")
_A_NUMBER_AFTER = re.compile(r"[^\S\n]+[A-Z]?[0-9]+[A-Z]?(?![A-Za-z])")
# A branch or a site of a firm after a town's name (the Hobart store); _SITE_AFTER takes more words after a name.
_BRANCH = r"branch|branches|store|stores|depot|campus|showroom|outlet|warehouse"
_SITE_WORD = re.compile(r"(?<![A-Za-z'’-])([A-Z][a-z]{2,})(?=[^\S\n]+(?i:" + _BRANCH + r")(?![A-Za-z]))")
# A greeting or thanks right before a word: someone addressed (Thanks Chester), not a town said again.
_ADDRESSED_BEFORE = re.compile(r"(?i:hi|hello|hey|thanks|thank you|cheers|dear|bye|sorry|ok|okay|mr|ms|mrs|dr)[,.]?[^\S\n]+$")
_SITE_AFTER = re.compile(r"[^\S\n]+(?i:" + _BRANCH + r"|terminal|location|site|exchange|substation|area|suburb|region|CBD)"
                         r"(?![A-Za-z])")
_NOT_NAME_VALUES = frozenset("null none nil n/a na unknown test customer user guest anonymous required optional "
                             "string name first last vip new regular gold silver premium member company individual "
                             "personal business corporate".split())
# A romanised name after the word for it (`拼音 zhao yu tong`, `英文名是 CHANG YU TING`, `拼音是 X U 空格 ...` aside).
_ROMANISED_CUE = re.compile(r"(?:拼音|英文名字?|英文姓名|英文名称|叫|名字|姓名|寄件人|收件人|联系人|户名|持卡人|乘客|旅客|"
                            r"(?<![A-Za-z])name ?)(?:是|叫|系|为|写|写的是)?[:：]?[^\S\n]*([A-Za-z]+(?:[ -][A-Za-z]+){1,3})"
                            r"(?![A-Za-z])")
# The line after a turn that asked for a name, holding one to three words and nothing else (`Agent: Who am I
# chatting with today?` / `Customer: björn`, `Customer: priyanka venkataraman`).
_LATIN = "A-Za-z\u00c0-\u024f"
# Words joining a name's parts (`Muhammad Hafiz bin Rahman`, `Annelie van Wyk`): not read as words.
_NAME_PARTICLES = "bin|binti|bte|van|von|de|del|da|dos|du|di|der|den|al|el|ap|ó|ní|uí"
_PARTICLE_SET = frozenset(_NAME_PARTICLES.split("|"))
# ... or on the same line, after a name question's question mark (`What's your last name? Baba`).
_ASKED_INLINE = re.compile(r"(?i:surname|last name|first name|full name|your name|the name|what name)"
                           r"(?:[^\S\n]+(?:please|again|for (?:the|this) (?:account|booking|order|record)))?[^\S\n]*\?")
# Words that open a reply, not a name (`Sure, it's K as in kilo`, `Lovely, and the email`).
_REPLY_WORDS = frozenset("sure yes no nope right lovely great perfect thanks thank sorry hello hi hmm well actually "
                         "absolutely certainly correct please pardon what wait hang hold one".split())
# The questions above that ask for a person's name, not a product's or a place's.
_ASKED_PERSON = re.compile(r"(?i:surname|last name|first name|full name|your name|who|holder|whose|speaking|talking|"
                           r"chatting|name (?:on|of|for)|name[ ,]+(?:sir|ma))")
_NAME_ANSWER = re.compile(r"(?:[^\S\n]*\n)?" + LINE_START + FILLER + r"(?i:(?:this is|my name is|name's|it's) )?" + FILLER +
                          rf"([{_LATIN}][{_LATIN}]*(?:['’-][{_LATIN}]+)?(?:(?: (?i:[ds]/o|a/[lp]|{_NAME_PARTICLES}))? [{_LATIN}][{_LATIN}]*(?:['’-][{_LATIN}]+)?){{0,2}})"
                          r"(?:[^\S\n]*[.!]?[^\S\n]*(?:[,;-][^\S\n]*(?:[A-Za-z][ -]){2,30}[A-Za-z][.]?[^\S\n]*)?(?:\n|$)"
                          # ... or the name, a comma and more (`tuilagi faleolo, but everyone calls me Tui`)
                          r"|[^\S\n]*,[^\S\n]+(?=\S))")
# A writer naming themselves at the start of a message or line (`Ruby Nguyen here, ...`, `Hi there, Sofía here`).
_HERE = re.compile(r"(?:^|(?<=\n))[^\S\n]*(?:(?:hi|hello|hey|hiya)(?: there| all| team)?[,!]?[^\S\n]+)?"
                   r"([A-Z][^\W\d_]+(?: [A-Z][^\W\d_'’-]+)?) here(?![A-Za-z])", re.I)
# A word spelled letter by letter (`s m i t h`, `K-O-W-A-L-S-K-I`, `H. U. A. N. G`): four or more letters,
# one separator kind throughout.
_LETTER_RUN = re.compile(r"(?<![A-Za-z0-9'’])[A-Za-z](?P<sep>-| |\. ?)[A-Za-z](?:(?P=sep)[A-Za-z]){2,30}\.?"
                         r"(?![A-Za-z0-9'’])")
# A first name and a surname written without a space, next to Chinese text or alone (KelseyGrammer).
_GLUED = re.compile(r"(?<![A-Za-z0-9_@#.-])([A-Z][a-z]{2,})([A-Z][a-z]{2,})(?![A-Za-z0-9_@])")
# A Latin word right after a Chinese word for a person's role or job.
_ROLE_LATIN = re.compile(
    "(?:选手|队长|领队|队员|球员|影评人|主持人|记者|编辑|作者|教练|玩家|网友|博主|主播|歌手|演员|导演|"
    "设计师|工程师|同学|客户|用户|联系人|收件人|先生|女士|小姐)"
    r"([A-Za-z][A-Za-z'-]{2,19})(?![A-Za-z0-9_@.-])")


_NOT_ROLE_LATIN = frozenset("admin root user test guest vip app web ios android windows mac linux pc id ip".split())


def free_of(spans: "_Spans", a: int, b: int) -> bool:
    return spans.free(a, b)


def _site_words(text: str) -> frozenset[str]:
    """The capitalised words that name a branch or a site in the text (`the Hobart store`): a town, also where
    it is said again alone (`yes, Hobart has two`), unless someone is addressed by it (_ADDRESSED_BEFORE)."""
    return frozenset(m.group(1) for m in _SITE_WORD.finditer(text))


def _named_twice(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is one half of a firm named twice over (Johnson & Johnson)."""
    word = text[start:end]
    after = _AND.match(text, end)
    if after is not None and text.startswith(word, after.end()) and not text[after.end() + len(word):][:1].isalpha():
        return True
    low = max(0, start - len(word) - 7)  # (the `&` and its spaces: seven characters at most, as before)
    amp = _AND_BEFORE.search(text, low + len(word), start)
    if amp is None:
        return False
    head = amp.start() - len(word)
    return head >= low and text.startswith(word, head) and not (head > low and text[head - 1].isascii()
                                                                and text[head - 1].isalpha())


def in_business_list(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] ends a list of surnames (Lopez, Santos and Coleman): a firm."""
    return bool(_BUSINESS_LIST.search(text, max(0, start - 40), start))
