"""Labelled PII samples for the redaction quality benchmark: synthetic customer-service chat in Chinese,
English and a mix of both, generated deterministically (fixed seed, Faker and `random.Random` instances,
never the global random state).

Two splits built from DIFFERENT templates:

- "dev": the sentences the detectors are tuned on;
- "holdout": other sentences, other cue words, other entity combinations and partly other value formats
  (e.g. `+86-138-1234-5678`, an IPv4 with a port, Shanghai `弄` addresses, ZIP+4), used only to check that
  the tuning generalises.

A quarter of each split is PII-free messages made largely of hard negatives (prices, dates, versions,
service hotlines, masked numbers, verification codes, ordinary words holding surname or address characters).
Hard negatives are mixed into the PII messages too.

Texts are built by concatenating template pieces, so every gold offset is exact by construction (the text
is never searched for a value afterwards). Gold spans: (start, end, label), Python str offsets, end
exclusive, sorted, non-overlapping. A cue word (先生, 客户, `Mr.`, `SSN`, `passport no.`) is never part of
a span: for "张伟先生" the gold span covers 张伟 only. A surname alone before a title (吴女士, 任经理) identifies
nobody and is not gold (the slot `{surname_zh}`), nor is one given alone after 我姓, nor an English title and a
surname (`Mr. Smith`): after a title the templates write a full name (redaction.surnames).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Callable

from faker import Faker

LABELS = ("PHONE", "CN_ID", "BANK_CARD", "CREDIT_CARD", "EMAIL", "IP", "ORDER_ID", "PASSPORT",
          "LICENSE_PLATE", "ADDRESS", "PERSON", "US_SSN")
SPLITS = ("dev", "holdout")
PII_FREE_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class Sample:
    """One chat message and its gold PII spans."""

    text: str
    spans: tuple[tuple[int, int, str], ...]  # (start, end, label), Python str offsets, end exclusive
    lang: str  # "zh", "en" or "mixed"


# ---------------------------------------------------------------------------------------------------
# Templates. `{SLOT}` is a generated value (upper case: gold PII of the slot's label; lower case: a hard
# negative, never gold); `[[a|b|c]]` picks one literal alternative (may be empty). Everything else is
# literal text.
# ---------------------------------------------------------------------------------------------------

_DEV_PII: tuple[tuple[str, str], ...] = (
    # zh
    ("zh", "你好，我的手机号是{PHONE}，订单{ORDER_ID}还没发货，麻烦帮我查一下[[|。|，谢谢]]"),
    ("zh", "收件人：{NAME_ZH}，电话{PHONE}，地址{ADDR_ZH}，请尽快安排发货。"),
    ("zh", "我叫{NAME_ZH}，身份证号{CN_ID}，昨天在你们店消费了{price}，发票抬头写我名字就行。"),
    ("zh", "退款请打到我的银行卡{BANK_CARD}，姓名：{NAME_ZH}，谢谢[[|！|。]]"),
    ("zh", "信用卡{CREDIT_CARD}被重复扣款两次，每次{price}，客户{NAME_ZH}要求退一笔。"),
    ("zh", "邮箱{EMAIL}谢谢，发票开好以后发到这个邮箱就可以[[|了]]。"),
    ("zh", "我的邮箱是{EMAIL}，刚才登录提示异常IP {IP}，是不是被盗号了？"),
    ("zh", "车牌号{PLATE}，{date}在你们门店做的保养，花了{price}，收据丢了能补吗？"),
    ("zh", "护照号码：{PASSPORT_ANY}，{NAME_ZH}女士的机票需要改签到{date}。"),
    ("zh", "订单{ORDER_ID}的收货地址改成{ADDR_ZH}，联系人：{NAME_ZH}，电话{PHONE}。"),
    ("zh", "您好，我是{NAME_ZH}，版本{version}更新后App一直闪退，手机号{PHONE}，麻烦回电。"),
    ("zh", "用户{NAME_ZH}反馈路由器连不上，管理地址{IP}，型号{product}，已经重启过{num}次。"),
    ("zh", "快递请寄到{ADDR_ZH}，收件人{NAME_ZH}，手机{PHONE}[[|，谢谢]]。"),
    ("zh", "{NAME_ZH}经理，客户的身份证{CN_ID}和护照{PASSPORT}都已经核验过了。"),
    ("zh", "麻烦把{ORDER_ID}的发票发到{EMAIL}，金额{price}，谢谢[[|！]]"),
    ("zh", "我的车{PLATE}停在{ADDR_ZH}门口，{time}左右过来取件可以吗？"),
    ("zh", "客户{surname_zh}女士来电，手机{PHONE}，说{date}买的{product}有质量问题。"),
    ("zh", "绑定的卡是{BANK_CARD}，但是页面显示尾号{tail}，是不是绑错了？"),
    ("zh", "我是{NAME_ZH}，订单号{ORDER_ID}，{qty}少发了一件，{hotline}一直打不通。"),
    ("zh", "银行卡{BANK_CARD}和身份证{CN_ID}都是本人的，为什么实名认证一直失败？"),
    ("zh", "用户{NAME_ZH}的IPv6地址{IPV6}频繁请求接口，已临时封禁{num}小时。"),
    ("zh", "车牌{PLATE}的车主{NAME_ZH}先生，电话{PHONE}，请到前台取车。"),
    ("zh", "{NAME_ZH}女士您好，您的快递已送达{ADDR_ZH}，如有问题请致电{hotline}。"),
    ("zh", "请核对一下：身份证{CN_ID}，银行卡{BANK_CARD}，预留手机{PHONE_CN}。"),
    ("zh", "我{date}用尾号{tail}的卡付款失败，换成{BANK_CARD}就成功了，订单{ORDER_ID}。"),
    ("zh", "实名认证失败，证件号{CN_ID}，提示与手机号{PHONE}不匹配，已经试了{num}次。"),
    # en
    ("en", "Hi, I'm {NAME_EN}, my card {CREDIT_CARD} was charged twice for order {ORDER_ID}."),
    ("en", "Dear {NAME_EN}, your order {ORDER_ID} has shipped to {ADDR_EN}. Total: {price_en}."),
    ("en", "My name is {NAME_EN} and my SSN is {SSN}. I need to update my billing address to {ADDR_EN}."),
    ("en", "Please call me back at {PHONE_US} or email {EMAIL}. Order {ORDER_ID}, placed on {date_en}."),
    ("en", "Mr. {NAME_EN} reported a login from {IP} at {time}; please reset his password."),
    ("en", "Customer {NAME_EN} wants a refund of {price_en} on card {CREDIT_CARD}."),
    ("en", "Passport no. {PASSPORT_ANY}, Name: {NAME_EN}, flight date {date_en}."),
    ("en", "Ms. {NAME_EN} moved to {ADDR_EN}; her new number is {PHONE_US}."),
    ("en", "SSN {SSN} does not match our records for Dr. {NAME_EN}. Please verify."),
    ("en", "Name: {NAME_EN}\nPhone: {PHONE}\nEmail: {EMAIL}\nOrder: {ORDER_ID}"),
    ("en", "Our server at {IP} rejected the request from app {version}; user email {EMAIL}."),
    ("en", "Mrs. {NAME_EN} says the package for {ADDR_EN} never arrived. Tracking shows delivered on {date_en}."),
    ("en", "Shipping address: {ADDR_EN}. Contact: {PHONE_US}. Customer {NAME_EN}."),
    ("en", "Card {CREDIT_CARD} was declined for {price_en}; the SSN on file is {SSN}."),
    # mixed
    ("mixed", "Hi，我是{NAME_ZH}，email {EMAIL}，order {ORDER_ID} 还没收到，{date}下的单。"),
    ("mixed", "客户{NAME_EN}的信用卡{CREDIT_CARD}在{date}被扣了{price_en}，请核实。"),
    ("mixed", "Please ship to {ADDR_ZH}，收件人：{NAME_ZH}，Tel: {PHONE}."),
    ("mixed", "VPN登录失败，IP是{IP}，账号邮箱{EMAIL}，App版本{version}。"),
    ("mixed", "我的passport是{PASSPORT}，SSN {SSN}，需要办理美国那边的退税。"),
    ("mixed", "Dear {NAME_EN}，您的订单{ORDER_ID}已发货，运费{price}，预计{date}送达。"),
    ("mixed", "Passport: {PASSPORT_ANY}，用户{NAME_ZH}，车牌{PLATE}，{date}入境。"),
)

_DEV_FREE: tuple[tuple[str, str], ...] = (
    # A surname alone before a title identifies nobody (not a name, see the module docstring).
    ("zh", "{surname_zh}[[先生|女士]]您好，您尾号{tail}的银行卡已退款{price}，预计{date}到账，请注意查收。"),
    ("zh", "请问{product}现在多少钱？我看到页面写的是{price}，昨天还是{price}。"),
    ("zh", "订单已于{datetime}发货，共{qty}，预计{date}送达，请耐心等待。"),
    ("zh", "你好，验证码{vcode}一直显示错误，是不是版本{version}的问题？"),
    ("zh", "我的手机号{masked}，尾号{tail}的卡能用吗？客服电话{hotline}打不通。"),
    ("en", "Dear Customer, your Order Status was updated on {date_en}. Thank you, Support Team"),
    ("zh", "马上就到周末了，黄金周期间发货方便吗？大概{num}天能到？"),
    ("zh", "白色和黑色有什么区别？{product}的价格是{price}，能打{pct}吗？"),
    ("zh", "路由器升级到{version}以后一直掉线，重启了{num}次还是不行，很不方便。"),
    ("en", "The Apple Store said my {product} repair costs {price_en}. Is it covered? I bought it on {date_en}."),
    ("zh", "金额{price}已经退回原支付账户，程序显示{datetime}处理完成，请注意查收。"),
    ("zh", "请拨打{hotline}或{hotline}咨询，工作时间{time}至{time}，节假日顺延。"),
    ("zh", "卡号{masked}的账单已出，本期应还{price}，最后还款日{date}。"),
    ("en", "Your verification code is {vcode}. It expires in {num} minutes. Do not share it with anyone."),
    ("zh", "我是新用户，买{qty}{product}能用优惠券吗？满{price}减多少？"),
    ("zh", "市场部张贴的海报上写{date}开始打{pct}，安全起见我想确认一下。"),
    ("mixed", "客户端{version}更新后，号码归属地显示不对，城市也选不了，{hotline}说马上处理。"),
    ("mixed", "Hi Support Team，{product}今天{time}下单的，付了{price_en}，请问Order Status在哪看？"),
)

_HOLDOUT_PII: tuple[tuple[str, str], ...] = (
    # zh
    ("zh", "麻烦帮我改一下手机号，旧的不用了，新号码{PHONE}，会员名下的订单{ORDER_ID}也一起改。"),
    ("zh", "联系人：{NAME_ZH}\n联系电话：{PHONE}\n收货地址：{ADDR_ZH}"),
    ("zh", "身份证{CN_ID}，持卡人{NAME_ZH}，卡号{BANK_CARD}，申请分{num}期。"),
    ("zh", "请{NAME_ZH}同学到前台领取快递，取件码{vcode}，超过{num}天退回。"),
    ("zh", "已经{num}天了还没到，寄件地址{ADDR_ZH}，寄件人{NAME_ZH}，你们查一下物流吧。"),
    ("zh", "{surname_zh}老师，报名表里的护照号{PASSPORT_ANY}填错了一位，能帮忙改吗？"),
    ("zh", "昨晚{time}有人用我的信用卡{CREDIT_CARD}在国外刷了{price_en}，我根本没有出过国！"),
    ("zh", "发票请开给{NAME_ZH}[[先生|女士]]，纸质版寄到{ADDR_ZH}，电子版发{EMAIL}即可。"),
    ("zh", "停车场监控显示{PLATE}的车蹭了我的车，车主电话{PHONE}一直没人接。"),
    ("zh", "后台日志里{IP}这个地址一分钟登录了{num}次，账号{EMAIL}，要不要封掉？"),
    ("zh", "您好，申请人{NAME_ZH}的实名信息：证件号{CN_ID}，手机{PHONE}，请审核。"),
    ("zh", "退货寄回{ADDR_ZH}就行，记得在包裹里写上订单号{ORDER_ID}和您的手机号。"),
    ("zh", "我姓{surname_zh}，{date}订的房间，入住人护照{PASSPORT}，想改到{date}。"),
    ("zh", "负责人{NAME_ZH}说把对公卡{BANK_CARD}的流水导出来发给他。"),
    ("zh", "新能源车{PLATE}充电桩扣费{price}，但实际只充了{num}度电，请核实。"),
    ("zh", "请联系{NAME_ZH}（{PHONE}），她负责{ADDR_ZH}这个网点。"),
    ("zh", "收货人{NAME_ZH}，{PHONE}，{ADDR_ZH}"),
    ("zh", "家属{NAME_ZH}的身份证{CN_ID}，我替他办理，我电话{PHONE}。"),
    ("zh", "ETC办理：车牌{PLATE}，车主身份证{CN_ID}，扣款卡{BANK_CARD}。"),
    ("zh", "请把合同扫描件发到{EMAIL}，抄送{EMAIL}，经办人{NAME_ZH}。"),
    ("zh", "{NAME_ZH}先生的车{PLATE}在{ADDR_ZH}被拖走了，车管所电话{hotline}。"),
    ("zh", "登陆IP {IP} 和常用地不一致，用户{NAME_ZH}，是本人操作吗？"),
    # en
    ("en", "Attn: {NAME_EN} - your replacement card {CREDIT_CARD} will arrive at {ADDR_EN} within {num} business days."),
    ("en", "This is {NAME_EN} calling about invoice {ORDER_ID}. Reach me on {PHONE_US} after {time}."),
    ("en", "Social security number: {SSN}. Date of birth: {date_en}. Applicant: {NAME_EN}."),
    ("en", "Could you update the contact on file? New email {EMAIL}, new phone {PHONE}, same address {ADDR_EN}."),
    ("en", "We blocked {IP} after {num} failed logins to the account of customer {NAME_EN}."),
    ("en", "Mr {NAME_EN} asked whether the shipment to {ADDR_EN} can be held until {date_en}."),
    ("en", "Passport #{PASSPORT_ANY} was scanned at check-in; the booking is under Mrs {NAME_EN}."),
    ("en", "Please refund {price_en} to card {CREDIT_CARD}, not the one ending in {tail}."),
    ("en", "Please cancel order {ORDER_ID}, I was charged {price_en} by mistake.\nBest regards,\n{NAME_EN}"),
    ("en", "SSN#{SSN} belongs to my late father, Mr. {NAME_EN}; please close the account."),
    ("en", "Contact person: {NAME_EN}, mobile {PHONE}, office {ADDR_EN}."),
    ("en", "Someone used my card {CREDIT_CARD} to buy {qty_en} on {date_en}, please block it."),
    # mixed
    ("mixed", "Hello，我叫{NAME_ZH}，护照No. {PASSPORT}，酒店预订在{date}，手机{PHONE}。"),
    ("mixed", "退款已经原路退回到{CREDIT_CARD}，如{num}个工作日内未到账请联系{hotline}或发邮件至{EMAIL}。"),
    ("mixed", "客户{NAME_EN}的IPv4是{IPV4}，IPv6是{IPV6}，客户端版本{version}。"),
    ("mixed", "寄到{ADDR_EN}的国际件，收件人{NAME_EN}，tel {PHONE_US}，运费{price}。"),
    ("mixed", "SSN是{SSN}，身份证是{CN_ID}，两个都要填吗？"),
    ("mixed", "ORDER {ORDER_ID} - 客户说{date}收到的{product}有划痕，照片已发到{EMAIL}。"),
    ("mixed", "我的UnionPay卡{BANK_CARD}在海外ATM取款失败，手续费扣了{price_en}。"),
    ("mixed", "Dear {NAME_EN}，感谢您的反馈，工单已关闭。如需帮助请回复邮件或致电{hotline}。"),
)

_HOLDOUT_FREE: tuple[tuple[str, str], ...] = (
    ("zh", "订单显示{datetime}已签收，但我没收到，{qty}的货去哪了？"),
    ("zh", "验证码是{vcode}吗？我收到两条短信，另一条写的是{vcode}。"),
    ("zh", "会员价{price}，非会员{price}，差价能补吗？活动到{date}结束。"),
    ("zh", "请问{hotline}是你们官方的客服电话吗？有人自称客服让我转账。"),
    ("en", "Thanks for contacting Customer Care. Your ticket was updated on {datetime}. - The Support Team"),
    ("zh", "{product}和{product}的区别是什么？我想买白色的，{qty}。"),
    ("zh", "系统提示卡号{masked}余额不足，我换了一张尾号{tail}的还是不行。"),
    ("zh", "软件{version}和{version}哪个稳定？公司电脑装的是{version}。"),
    ("en", "Hi team, the Order Status page shows {price_en} but checkout says {price_en}. App version {version}."),
    ("zh", "客户服务中心通知：{date}起部分商品打{pct}，满{price}包邮。"),
    ("zh", "号码{masked}是我之前用的，现在已经注销了，账号还安全吗？"),
    ("zh", "你好，用户名忘了，客户端登录不了，城市选错了也改不回来，很不方便。"),
    ("en", "I saw {qty_en} of {product} for {price_en} at the Apple Store. Is the deal valid until {date_en}?"),
    ("zh", "包裹重{qty}，运费按{price}计算对吗？{date}之前能到吗？"),
    ("zh", "江浙沪包邮吗？发往广东省内一般需要几天？我{date}之前要用。"),
    ("mixed", "Your one-time code is {vcode}，如非本人操作请致电{hotline}，高兴为您服务。"),
)

_TEMPLATES = {"dev": (_DEV_PII, _DEV_FREE), "holdout": (_HOLDOUT_PII, _HOLDOUT_FREE)}


def templates(split: str) -> tuple[tuple[str, str, bool], ...]:
    """(lang, template, pii_free) for every template of a split (for tests and inspection)."""
    pii, free = _TEMPLATES[_check_split(split)]
    return tuple((lang, t, False) for lang, t in pii) + tuple((lang, t, True) for lang, t in free)


def _check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    return split


# ---------------------------------------------------------------------------------------------------
# Value vocabularies.
# ---------------------------------------------------------------------------------------------------

_MOBILE_PREFIXES = ("130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147",
                    "150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "170", "173",
                    "175", "176", "177", "178", "180", "181", "182", "183", "184", "185", "186", "187",
                    "188", "189", "191", "193", "195", "198", "199")
_AREA3 = ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029")
_AREA4 = ("0755", "0571", "0512", "0574", "0592", "0591", "0731", "0371", "0531", "0532", "0411", "0451",
          "0871", "0898", "0769", "0757", "0311", "0351", "0431", "0551")
_US_AREAS = ("201", "202", "205", "206", "212", "213", "214", "215", "303", "305", "310", "312", "313",
             "404", "408", "415", "469", "503", "512", "602", "617", "646", "702", "713", "718", "805",
             "818", "917", "919", "972")
_UNIONPAY_BINS = ("622202", "622848", "621700", "622588", "621483", "622700", "623058", "621226",
                  "622262", "621661", "622609", "625809", "628288", "620522", "621799")
_CARD_TYPES = ("visa16", "mastercard", "amex", "discover", "jcb16")
_FREE_MAIL = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "aliyun.com", "gmail.com",
              "outlook.com", "hotmail.com", "yahoo.com", "icloud.com")
_HOLDOUT_MAIL = ("139.com", "yeah.net", "sohu.com", "proton.me", "live.cn", "vip.qq.com", "msn.com")
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "慕容", "尉迟", "令狐", "皇甫", "公孙")
_PROVINCE_ABBR = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O

_GEO = (  # (province or "" for a municipality, city, districts): real, consistent combinations
    ("广东省", "深圳市", ("南山区", "福田区", "宝安区", "龙岗区", "罗湖区")),
    ("广东省", "广州市", ("天河区", "越秀区", "海珠区", "番禺区", "白云区")),
    ("", "北京市", ("朝阳区", "海淀区", "东城区", "西城区", "丰台区", "昌平区")),
    ("", "上海市", ("浦东新区", "徐汇区", "静安区", "黄浦区", "闵行区", "长宁区")),
    ("浙江省", "杭州市", ("西湖区", "滨江区", "余杭区", "拱墅区", "上城区")),
    ("浙江省", "宁波市", ("鄞州区", "海曙区", "江北区")),
    ("江苏省", "南京市", ("鼓楼区", "玄武区", "江宁区", "建邺区")),
    ("江苏省", "苏州市", ("姑苏区", "吴中区", "相城区")),
    ("四川省", "成都市", ("武侯区", "锦江区", "青羊区", "成华区")),
    ("湖北省", "武汉市", ("洪山区", "武昌区", "江汉区")),
    ("", "天津市", ("和平区", "南开区", "河西区")),
    ("", "重庆市", ("渝中区", "江北区", "南岸区")),
    ("陕西省", "西安市", ("雁塔区", "碑林区", "未央区")),
    ("山东省", "青岛市", ("市南区", "崂山区", "黄岛区")),
    ("福建省", "厦门市", ("思明区", "湖里区")),
    ("湖南省", "长沙市", ("岳麓区", "天心区", "芙蓉区")),
    ("河南省", "郑州市", ("金水区", "二七区", "中原区")),
    ("辽宁省", "大连市", ("中山区", "沙河口区", "甘井子区")),
)
_RURAL = (("浙江省", "湖州市", "长兴县"), ("山东省", "潍坊市", "寿光市"), ("河南省", "信阳市", "固始县"),
          ("四川省", "眉山市", "仁寿县"), ("湖南省", "衡阳市", "衡东县"), ("安徽省", "阜阳市", "临泉县"),
          ("广西壮族自治区", "桂林市", "阳朔县"))
_DEV_ROADS = ("科技南", "建国", "碧波", "文三", "人民", "解放", "中山", "长江", "和平", "学院", "新华", "滨江",
              "金融", "东风", "光明", "友谊", "迎宾", "胜利", "朝阳北", "青年", "华山", "天府", "望江", "南京东",
              "淮海中", "延安西", "深南", "黄河", "工业", "创新")
_HOLDOUT_ROADS = ("漕溪北", "龙华中", "西湖", "桂花", "梧桐", "凤凰", "翠竹", "枫林", "锦绣", "文化", "体育",
                  "花园", "海滨", "红旗", "五一", "八一", "府前", "环城东", "振兴", "幸福", "育才", "临江",
                  "星光", "紫荆")
_DEV_TOWNS = ("张江", "唐", "松岗", "石岩", "良渚", "周浦", "横沥")
_HOLDOUT_TOWNS = ("九亭", "七宝", "观澜", "塘厦", "洞泾", "华漕", "新桥")
_DEV_BUILDINGS = ("SOHO现代城", "国贸大厦", "华润中心", "万达广场", "创业大厦", "金融中心", "软件园", "世纪大厦")
_HOLDOUT_BUILDINGS = ("环球中心", "天安数码城", "来福士广场", "中关村大厦", "太古汇", "新城国际")
_COMMUNITIES = ("阳光花园", "翠湖苑", "金色家园", "碧桂园", "万科城", "锦绣江南", "绿城桂花园")
_VILLAGES = ("王家", "李庄", "石桥", "柳树湾", "下沙", "张家湾")
_STREETS_OFFICE = ("粤海", "新街口", "五角场", "南湖", "北新桥")

_EN_STREETS = ("Amphitheatre", "Baker", "Fifth", "Evergreen", "Main", "Oak", "Maple", "Cedar", "Pine",
               "Elm", "Washington", "Lake Shore", "Sunset", "Market", "Mission", "Park", "Hillcrest",
               "Riverside", "Lincoln", "Jefferson", "Madison", "Highland", "Chestnut", "Willow")
_EN_SUFFIX_FULL = ("Street", "Avenue", "Road", "Boulevard", "Parkway", "Terrace", "Lane", "Drive",
                   "Court", "Place", "Way")
_EN_SUFFIX_ABBR = ("St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Ct", "Pkwy", "Hwy", "Cir")
_DEV_CITIES = (("Springfield", "IL"), ("Austin", "TX"), ("Seattle", "WA"), ("San Francisco", "CA"),
               ("New York", "NY"), ("Boston", "MA"), ("Chicago", "IL"), ("Denver", "CO"))
_HOLDOUT_CITIES = (("Portland", "OR"), ("Miami", "FL"), ("Atlanta", "GA"), ("Phoenix", "AZ"),
                   ("San Jose", "CA"), ("Columbus", "OH"), ("Nashville", "TN"), ("Madison", "WI"))

_DEV_PRODUCTS = ("SKU-2023-0088", "型号A1234", "model XR-200", "iPhone 15 Pro", "Mate 60 Pro", "小米14",
                 "RTX 4090", "AirPods Pro 2", "MacBook Air M2")
_HOLDOUT_PRODUCTS = ("SKU-2024-1173", "型号B5678", "model ZX-9", "Galaxy S24", "Pixel 8", "iPad Air 5",
                     "Kindle Paperwhite", "戴森V12", "Switch OLED")
_NAMED_HOTLINES = ("95588", "95533", "95555", "95511", "10086", "10010", "12315", "12306")

_FULLWIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "0123456789+-@."})
_CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def cn_id_check(first17: str) -> str:
    """The check character of an 18-digit Chinese resident ID (GB 11643)."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _CN_ID_WEIGHTS)) % 11]


def luhn_check_digit(body: str) -> str:
    """The digit that makes body + digit pass the Luhn checksum."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # doubled: these are every second digit counting from the (future) check digit
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def fullwidth(text: str) -> str:
    """Digits, `+ - @ .` as a Chinese input method in full-width mode types them."""
    return text.translate(_FULLWIDTH)


Pieces = list[tuple[str, "str | None"]]


class _Gen:
    """Value generators for one split, all drawing on one seeded random.Random and two seeded Fakers."""

    def __init__(self, split: str, seed: int) -> None:
        self.split = split
        self.hold = split == "holdout"
        self.r = random.Random(f"hushdesk-pii:{split}:{seed}")
        self.zh = Faker("zh_CN")
        self.zh.seed_instance(self.r.getrandbits(64))
        self.en = Faker("en_US")
        self.en.seed_instance(self.r.getrandbits(64))

    # --- helpers ----------------------------------------------------------------------------------
    def pick(self, weighted: dict) -> object:
        keys = list(weighted)
        return self.r.choices(keys, weights=[weighted[k] for k in keys])[0]

    def digits(self, n: int, first: str = "0123456789") -> str:
        return self.r.choice(first) + "".join(self.r.choice("0123456789") for _ in range(n - 1))

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    # --- PHONE ------------------------------------------------------------------------------------
    def phone(self) -> str:
        kind = self.pick({"mobile": 60, "land": 20, "us": 20})
        return {"mobile": self.phone_mobile, "land": self.phone_land, "us": self.phone_us}[kind]()

    def phone_cn(self) -> str:
        return self.phone_mobile() if self.chance(0.75) else self.phone_land()

    def phone_mobile(self) -> str:
        m = self.r.choice(_MOBILE_PREFIXES) + self.digits(8)
        a, b, c = m[:3], m[3:7], m[7:]
        if not self.hold:
            fmt = self.pick({"plain": 30, "+86": 7, "+86 ": 6, "0086": 5, "86": 4, "86 ": 3,
                             "space": 12, "dash": 10, "+86 space": 5, "fw": 8, "fw+86": 2})
        else:
            fmt = self.pick({"plain": 22, "+86-dash": 10, "+86 space": 8, "0086 ": 6, "0086-dash": 4,
                             "space": 8, "dash": 8, "fw": 6, "fw dash": 6, "fw space": 4, "86-": 4,
                             "+86 ": 6, "space 7-4": 4})
        return {
            "plain": m, "+86": "+86" + m, "+86 ": "+86 " + m, "0086": "0086" + m, "86": "86" + m,
            "86 ": "86 " + m, "86-": "86-" + m, "space": f"{a} {b} {c}", "dash": f"{a}-{b}-{c}",
            "+86 space": f"+86 {a} {b} {c}", "fw": fullwidth(m), "fw+86": fullwidth("+86" + m),
            "+86-dash": f"+86-{a}-{b}-{c}", "0086 ": "0086 " + m, "0086-dash": f"0086-{a}-{b}-{c}",
            "fw dash": fullwidth(f"{a}-{b}-{c}"), "fw space": fullwidth(a) + " " + fullwidth(b) + " "
            + fullwidth(c), "space 7-4": f"{a}{b} {c}",
        }[fmt]

    def phone_land(self) -> str:
        if self.chance(0.5):
            area = self.r.choice(_AREA3)
            sub = self.digits(8, "2345678")
        else:
            area = self.r.choice(_AREA4)
            sub = self.digits(8 if self.chance(0.7) else 7, "2345678")
        h, t = sub[:-4], sub[-4:]
        if not self.hold:
            fmt = self.pick({"dash": 35, "dash44": 20, "paren": 20, "space": 15, "plain": 10})
        else:
            fmt = self.pick({"dash space": 25, "paren space": 20, "space plain": 25, "dash": 20,
                             "fw dash": 10})
        return {
            "dash": f"{area}-{sub}", "dash44": f"{area}-{h}-{t}", "paren": f"({area}){sub}",
            "space": f"{area} {h} {t}", "plain": area + sub, "dash space": f"{area}-{h} {t}",
            "paren space": f"({area}) {h} {t}", "space plain": f"{area} {sub}",
            "fw dash": fullwidth(f"{area}-{sub}"),
        }[fmt]

    def phone_us(self) -> str:
        a = self.r.choice(_US_AREAS)
        while True:
            x = self.digits(3, "23456789")
            if x[1:] != "11":
                break
        line = self.digits(4)
        if not self.hold:
            fmt = self.pick({"paren": 25, "dash": 25, "dot": 15, "+1 space": 20, "1-dash": 15})
        else:
            fmt = self.pick({"+1 paren": 25, "paren tight": 20, "space": 20, "+1-dash": 20, "+1 plain": 15})
        return {
            "paren": f"({a}) {x}-{line}", "dash": f"{a}-{x}-{line}", "dot": f"{a}.{x}.{line}",
            "+1 space": f"+1 {a} {x} {line}", "1-dash": f"1-{a}-{x}-{line}",
            "+1 paren": f"+1 ({a}) {x}-{line}", "paren tight": f"({a}){x}-{line}", "space": f"{a} {x} {line}",
            "+1-dash": f"+1-{a}-{x}-{line}", "+1 plain": f"+1{a}{x}{line}",
        }[fmt]

    # --- CN_ID ------------------------------------------------------------------------------------
    def cn_id(self) -> str:
        base = self.zh.ssn()[:17]
        kind = self.pick({"valid": 72, "x": 18, "near": 10})
        if kind == "x":  # vary the sequence number until the check character is X
            start = self.r.randrange(1000)
            for i in range(1000):
                cand = base[:14] + f"{(start + i) % 1000:03d}"
                if cn_id_check(cand) == "X":
                    base = cand
                    break
        check = cn_id_check(base)
        if kind == "near":  # a typo'd / made-up ID: still somebody's ID as far as redaction goes
            check = self.r.choice([c for c in "0123456789X" if c != check])
        value = base + check
        if self.hold:
            if value.endswith("X") and self.chance(0.35):
                value = value[:-1] + "x"
            if self.chance(0.12):
                value = f"{value[:6]} {value[6:14]} {value[14:]}"
        return value

    # --- cards ------------------------------------------------------------------------------------
    def _group4(self, digits: str, sep: str) -> str:
        return sep.join(digits[i:i + 4] for i in range(0, len(digits), 4))

    def bank_card(self) -> str:
        length = self.pick({16: 45, 17: 8, 18: 7, 19: 40})
        body = self.r.choice(_UNIONPAY_BINS) if self.chance(0.8) else "62" + self.digits(4)
        body += self.digits(length - len(body) - 1)
        check = luhn_check_digit(body)
        if self.chance(0.3):  # made-up or mistyped numbers are still card numbers to redact
            check = self.r.choice([d for d in "0123456789" if d != check])
        num = body + check
        if not self.hold:
            fmt = self.pick({"plain": 50, "space": 32, "dash": 18})
        else:
            fmt = self.pick({"plain": 35, "space": 35, "dash": 15, "fw": 15})
        return {"plain": num, "space": self._group4(num, " "), "dash": self._group4(num, "-"),
                "fw": fullwidth(num)}[fmt]

    def credit_card(self) -> str:
        kind = self.r.choice(_CARD_TYPES)
        num = self.en.credit_card_number(card_type=kind)
        if len(num) == 15:  # Amex: 4-6-5
            g = (num[:4], num[4:10], num[10:])
            if not self.hold:
                fmt = self.pick({"plain": 50, "space": 50})
            else:
                fmt = self.pick({"plain": 30, "space": 35, "dash": 35})
            return {"plain": num, "space": " ".join(g), "dash": "-".join(g)}[fmt]
        if not self.hold:
            fmt = self.pick({"plain": 45, "space": 35, "dash": 20})
        else:
            fmt = self.pick({"plain": 40, "space": 30, "dash": 20, "fw": 10})
        return {"plain": num, "space": self._group4(num, " "), "dash": self._group4(num, "-"),
                "fw": fullwidth(num)}[fmt]

    # --- EMAIL ------------------------------------------------------------------------------------
    def email(self) -> str:
        kind = self.pick({"user": 30, "first.last": 20, "pinyin": 20, "qq": 15, "digits": 15})
        if kind == "user":
            local = self.en.user_name()
        elif kind == "first.last":
            local = f"{self.en.first_name()}.{self.en.last_name()}".lower()
        elif kind == "pinyin":
            local = self.zh.user_name()
        elif kind == "qq":
            local = self.digits(self.r.randint(6, 11), "123456789")
        else:
            local = self.en.first_name().lower() + self.digits(self.r.randint(2, 4))
        if kind == "qq":
            domain = "qq.com"
        elif not self.hold:
            domain = self.r.choice(_FREE_MAIL) if self.chance(0.6) else self.en.domain_name()
        else:
            domain = self.pick({"free": 35, "cn": 25, "sub": 25, "faker": 15})
            domain = {
                "free": lambda: self.r.choice(_HOLDOUT_MAIL),
                "cn": lambda: self.en.domain_word() + ".com.cn",
                "sub": lambda: "mail." + self.en.domain_name(),
                "faker": lambda: self.en.domain_name(),
            }[domain]()
        if self.hold:
            if kind in ("user", "first.last") and self.chance(0.2):
                local += "+" + self.r.choice(("shop", "orders", "cs", "vip"))
            if self.chance(0.1):
                local = local.capitalize()
                domain = domain.upper() if self.chance(0.5) else domain
        at = "＠" if self.chance(0.1) else "@"
        return local + at + domain

    # --- IP ---------------------------------------------------------------------------------------
    def ip(self) -> Pieces:
        return self.ipv4() if self.chance(0.65) else self.ipv6()

    def ipv4(self) -> Pieces:
        addr = self.en.ipv4_public() if self.chance(0.5) else self.en.ipv4_private()
        if self.hold and self.chance(0.2):
            return [(addr, "IP"), (":" + str(self.r.choice((80, 443, 8080, 8443, 3389, 22))), None)]
        return [(addr, "IP")]

    def _hex(self, n: int = 4) -> str:
        return "".join(self.r.choice("0123456789abcdef") for _ in range(self.r.randint(1, n)))

    def ipv6(self) -> Pieces:
        if not self.hold:
            kind = self.pick({"full": 40, "doc": 30, "link": 30})
        else:
            kind = self.pick({"upper": 25, "cn": 30, "mapped": 20, "link": 25})
        if kind == "full":
            addr = self.en.ipv6()
        elif kind == "doc":
            addr = "2001:db8::" + ":".join(self._hex() for _ in range(self.r.randint(1, 3)))
        elif kind == "link":
            addr = "fe80::" + ":".join(self._hex() for _ in range(4))
        elif kind == "upper":
            addr = self.en.ipv6().upper()
        elif kind == "cn":
            groups = [self.r.choice(("240e", "2408", "2409")), self._hex(), self._hex()]
            addr = ":".join(groups) + "::" + ":".join(self._hex() for _ in range(self.r.randint(1, 2)))
        else:
            addr = "::ffff:" + self.en.ipv4_public()
        return [(addr, "IP")]

    # --- codes ------------------------------------------------------------------------------------
    def order_id(self) -> str:
        if not self.hold:
            prefix = self.pick({"ORD": 70, "ord": 15, "Ord": 15})
        else:
            prefix = self.pick({"ORD": 50, "ord": 25, "Ord": 15, "ORd": 10})
        return f"{prefix}-{self.digits(8)}"

    def passport_cn(self) -> str:
        if not self.hold:
            return self.pick({"E": 70, "G": 30}) + self.digits(8)
        kind = self.pick({"E8": 40, "EL7": 40, "G8": 20})
        if kind == "EL7":
            return "E" + self.r.choice(_PLATE_LETTERS) + self.digits(7)
        return kind[0] + self.digits(8)

    def passport_any(self) -> str:
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        if not self.hold:
            kind = self.pick({"cn": 40, "9d": 25, "L7": 20, "L8": 15})
        else:
            kind = self.pick({"cn": 30, "LL7": 25, "9d": 20, "L8": 25})
        if kind == "cn":
            return self.passport_cn()
        if kind == "9d":
            return self.digits(9, "123456789")
        if kind == "L7":
            return self.r.choice(letters) + self.digits(7)
        if kind == "L8":
            return self.r.choice(letters) + self.digits(8)
        return self.r.choice(letters) + self.r.choice(letters) + self.digits(7)

    def plate(self) -> str:
        prov = self.r.choice(_PROVINCE_ABBR)
        city = self.r.choice(_PLATE_LETTERS[:8]) if self.chance(0.7) else self.r.choice(_PLATE_LETTERS)
        kind = self.pick({"regular": 60, "nev": 40} if not self.hold else {"regular": 55, "nev": 45})
        if kind == "regular":
            n_letters = self.pick({0: 45, 1: 40, 2: 15})
            chars = [self.r.choice("0123456789") for _ in range(5)]
            for pos in self.r.sample(range(5), n_letters):
                chars[pos] = self.r.choice(_PLATE_LETTERS)
            tail = "".join(chars)
        elif self.chance(0.7):  # small new-energy car: D/F, a letter or digit, four digits
            tail = self.r.choice("DF") + self.r.choice(_PLATE_LETTERS + "0123456789") + self.digits(4)
        else:  # large new-energy vehicle: five digits, then D/F
            tail = self.digits(5) + self.r.choice("DF")
        if not self.hold:
            sep = self.pick({"": 75, "·": 25} if kind == "regular" else {"": 90, "·": 10})
        else:
            sep = self.pick({"": 60, "·": 30, " ": 10})
        return prov + city + sep + tail

    def ssn(self) -> str:
        while True:
            area = self.r.randint(1, 899)
            if area != 666:
                break
        group, serial = self.r.randint(1, 99), self.r.randint(1, 9999)
        sep = "-" if not self.hold or self.chance(0.7) else " "
        return f"{area:03d}{sep}{group:02d}{sep}{serial:04d}"

    # --- ADDRESS ----------------------------------------------------------------------------------
    def _road(self) -> str:
        stems = _HOLDOUT_ROADS if self.hold else _DEV_ROADS
        return self.r.choice(stems) + self.pick({"路": 60, "街": 12, "大道": 14, "巷": 6, "大街": 8})

    def _no(self, hi: int = 999) -> str:
        return f"{self.r.randint(1, hi)}号"

    def _geo(self) -> tuple[str, str, str]:
        if self.hold and self.chance(0.5):
            return self.zh.province(), self.zh.city_name() + "市", self.zh.district() + "区"
        prov, city, dists = self.r.choice(_GEO)
        return prov, city, self.r.choice(dists)

    def _room(self) -> str:
        return f"{self.r.randint(1, 33)}{self.r.randint(1, 4):02d}"

    def addr_zh(self) -> str:
        prov, city, dist = self._geo()
        prov = prov if prov and self.chance(0.5) else ""
        if not self.hold:
            form = self.pick({"A": 25, "B": 15, "C": 15, "D": 20, "E": 15, "F": 10})
            if form == "A":
                return (prov or "") + city + dist + self._road() + self._no()
            if form == "B":
                return (city + dist + self._road() + self._no() + self.r.choice(_DEV_BUILDINGS)
                        + f"{self.r.randint(1, 12)}号楼{self._room()}室")
            if form == "C":
                return city + dist + self.r.choice(_DEV_TOWNS) + "镇" + self._road() + self._no()
            if form == "D":
                return city + dist + self._road() + self._no()
            if form == "E":
                return (dist + self._road() + self._no(200) + f"{self.r.randint(1, 20)}栋"
                        + f"{self.r.randint(1, 6)}单元{self._room()}室")
            return prov + city + dist + self._road() + self._no() + f"{self.r.randint(1, 30)}栋{self._room()}"
        form = self.pick({"G": 22, "H": 22, "I": 16, "J": 16, "K": 12, "L": 12})
        if form == "G":  # Shanghai-style lane
            return (city + dist + self._road() + f"{self.r.randint(1, 1500)}弄{self.r.randint(1, 60)}号"
                    + f"{self._room()}室")
        if form == "H":
            return (prov + city + dist + self.r.choice(_STREETS_OFFICE) + "街道" + self.r.choice(_COMMUNITIES)
                    + f"{self.r.randint(1, 30)}号楼{self.r.randint(1, 6)}单元{self._room()}")
        if form == "I":
            p, c, county = self.r.choice(_RURAL)
            return (p + c + county + self.r.choice(_HOLDOUT_TOWNS) + "镇" + self.r.choice(_VILLAGES) + "村"
                    + f"{self.r.randint(1, 12)}组{self.r.randint(1, 99)}号")
        if form == "J":
            return (city + dist + self._road() + "与" + self._road() + "交叉口"
                    + self.r.choice(_HOLDOUT_BUILDINGS) + self.r.choice("ABCD") + f"座{self._room()}")
        if form == "K":  # Beijing-style compound
            return city + dist + self._road() + f"{self.r.randint(1, 300)}号院{self.r.randint(1, 20)}号楼{self._room()}"
        return prov + city + dist + self._road() + self._no()

    def addr_en(self) -> str:
        if not self.hold:
            num = str(self.r.randint(1, 9999))
            if self.chance(0.1):
                num = str(self.r.randint(1, 300)) + self.r.choice("ABC")
            street = f"{self.r.choice(_EN_STREETS)} {self.r.choice(_EN_SUFFIX_FULL)}"
            unit = self.pick({"": 60, "Apt": 25, "Apt.": 8, "Unit": 7})
            unit = f", {unit} {self.r.randint(1, 30)}{self.r.choice(['', 'A', 'B', 'C'])}" if unit else ""
            city = ""
            if self.chance(0.45):
                name, state = self.r.choice(_DEV_CITIES)
                city = f", {name}, {state} {self.digits(5, '123456789')}"
            return num + " " + street + unit + city
        num = str(self.r.randint(10, 99999))
        direction = self.pick({"": 60, "N ": 8, "S. ": 8, "W ": 8, "East ": 8, "NW ": 8})
        street = f"{direction}{self.en.last_name()} {self.r.choice(_EN_SUFFIX_ABBR)}"
        unit = self.pick({"": 50, "Suite": 18, "Ste": 10, "#": 12, "Unit": 10})
        if unit == "#":
            unit = f" #{self.r.randint(1, 999)}"
        elif unit:
            unit = f", {unit} {self.r.randint(1, 999)}{self.r.choice(['', 'C'])}"
        city = ""
        if self.chance(0.55):
            name, state = self.r.choice(_HOLDOUT_CITIES)
            zip_ = self.digits(5, "123456789") + ("-" + self.digits(4) if self.chance(0.5) else "")
            city = f", {name}, {state} {zip_}"
        return num + " " + street + unit + city

    # --- PERSON -----------------------------------------------------------------------------------
    def name_zh(self) -> str:
        if not self.hold:
            return self.zh.name() if self.chance(0.8) else self.r.choice(_COMPOUND_SURNAMES) + self.zh.first_name()
        kind = self.pick({"parts": 60, "compound": 20, "name": 20})
        if kind == "parts":
            return self.zh.last_name() + self.zh.first_name()
        if kind == "compound":
            given = self.zh.first_name()
            return self.r.choice(_COMPOUND_SURNAMES) + (given if len(given) == 2 else given + self.zh.first_name()[0])
        return self.zh.name()

    def surname_zh(self) -> str:
        return self.r.choice(_COMPOUND_SURNAMES) if self.chance(0.15) else self.zh.last_name()

    def name_en(self) -> str:
        first, last = self.en.first_name(), self.en.last_name()
        if self.hold and self.chance(0.15):
            return f"{first} {self.r.choice('ABCDEFGHJKLMNPRSTW')}. {last}"
        return f"{first} {last}"

    # --- hard negatives (never gold) ----------------------------------------------------------------
    def price(self) -> str:
        v = self.r.randint(1, self.r.choice((100, 1000, 5000, 20000))) / (100 if self.chance(0.3) else 1)
        fmt = self.pick({"¥.2f": 20, "，元": 25, "元": 15, ".1元": 10, "￥": 10, "RMB": 10, "$": 10})
        if fmt == "¥.2f":
            return f"¥{v:.2f}"
        if fmt == "，元":
            return f"{int(v):,}元"
        if fmt == "元":
            return f"{v:.2f}元" if v != int(v) else f"{int(v)}元"
        if fmt == ".1元":
            return f"{self.r.randint(1, 999) + 0.5:.1f}元"
        if fmt == "￥":
            return f"￥{int(v)}"
        if fmt == "RMB":
            return f"RMB {int(v):,}"
        return f"${v:,.2f}"

    def price_en(self) -> str:
        v = self.r.randint(100, self.r.choice((10000, 100000, 500000))) / 100
        fmt = self.pick({"$": 60, "$int": 20, "USD": 10, "€": 10})
        return {"$": f"${v:,.2f}", "$int": f"${int(v):,}", "USD": f"USD {v:.2f}", "€": f"€{v:,.2f}"}[fmt]

    def _ymd(self) -> tuple[int, int, int]:
        return self.r.randint(2019, 2026), self.r.randint(1, 12), self.r.randint(1, 28)

    def date(self) -> str:
        y, m, d = self._ymd()
        fmts = ["{y}-{m:02d}-{d:02d}", "{y}/{m:02d}/{d:02d}", "{y}年{m}月{d}日", "{m}月{d}日"]
        if self.hold:
            fmts += ["{y}.{m:02d}.{d:02d}", "{m}月{d}号"]
        return self.r.choice(fmts).format(y=y, m=m, d=d)

    def date_en(self) -> str:
        y, m, d = self._ymd()
        months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
        return self.r.choice(("{y}-{m:02d}-{d:02d}", "{mon} {d}, {y}", "{m:02d}/{d:02d}/{y}", "{mon} {d}")).format(
            y=y, m=m, d=d, mon=months[m - 1])

    def time(self) -> str:
        h, mi = self.r.randint(0, 23), self.r.choice((0, 5, 15, 30, 45, self.r.randint(0, 59)))
        return f"{h}:{mi:02d}" if self.chance(0.4) else f"{h:02d}:{mi:02d}"

    def datetime(self) -> str:
        y, m, d = self._ymd()
        s = self.r.randint(0, 59)
        return self.r.choice((f"{y}-{m:02d}-{d:02d} {self.time()}:{s:02d}", f"{y}/{m:02d}/{d:02d} {self.time()}",
                              f"{y}年{m}月{d}日 {self.time()}"))

    def version(self) -> str:
        a, b, c = self.r.randint(1, 17), self.r.randint(0, 20), self.r.randint(0, 30)
        return self.r.choice((f"v{a}.{b}.{c}", f"{a}.{b}.{c}", f"V{a}.{b}", f"{a}.{b}.{c}"))

    def hotline(self) -> str:
        kind = self.pick({"400": 35, "800": 15, "named": 50})
        if kind == "named":
            return self.r.choice(_NAMED_HOTLINES)
        return f"{kind}-{self.digits(3, '123456789')}-{self.digits(4)}"

    def masked(self) -> str:
        kind = self.pick({"mobile": 35, "card": 30, "id": 20, "tail": 15})
        if kind == "mobile":
            return self.r.choice(_MOBILE_PREFIXES) + "****" + self.digits(4)
        if kind == "card":
            return self.r.choice(("6222", "6228", "4392", "5187")) + " **** **** " + self.digits(4)
        if kind == "id":
            return self.zh.ssn()[:6] + "********" + self.digits(3) + self.r.choice("0123456789X")
        return "****" + self.digits(4)

    def tail(self) -> str:
        return self.digits(4)

    def qty(self) -> str:
        return self.r.choice((f"{self.r.randint(1, 9)}件", f"{self.r.randint(2, 30) * 50}ml",
                              f"{self.r.randint(1, 50)}kg", f"{self.r.randint(1, 6)}箱", f"{self.r.randint(2, 24)}瓶",
                              f"{self.r.randint(1, 9) * 100}g", f"{self.r.randint(1, 5)}.5L"))

    def qty_en(self) -> str:
        return self.r.choice((f"{self.r.randint(2, 9)} boxes", f"{self.r.randint(2, 9)} items",
                              f"{self.r.randint(2, 20) * 50} ml", f"{self.r.randint(2, 40)} kg", "a 6-pack"))

    def product(self) -> str:
        return self.r.choice(_HOLDOUT_PRODUCTS if self.hold else _DEV_PRODUCTS)

    def pct(self) -> str:
        return self.r.choice((f"{self.r.randint(5, 95)}%", f"{self.r.randint(5, 9)}.{self.r.randint(1, 9)}折",
                              f"{self.r.choice('八七九')}折"))

    def vcode(self) -> str:
        return self.digits(6) if self.chance(0.8) else self.digits(4)

    def num(self) -> str:
        return str(self.r.randint(2, 30))


# slot -> (gold label or None for a hard negative, generator)
_SLOTS: dict[str, tuple[str | None, Callable[[_Gen], "str | Pieces"]]] = {
    "PHONE": ("PHONE", _Gen.phone), "PHONE_CN": ("PHONE", _Gen.phone_cn), "PHONE_US": ("PHONE", _Gen.phone_us),
    "CN_ID": ("CN_ID", _Gen.cn_id), "BANK_CARD": ("BANK_CARD", _Gen.bank_card),
    "CREDIT_CARD": ("CREDIT_CARD", _Gen.credit_card), "EMAIL": ("EMAIL", _Gen.email),
    "IP": ("IP", _Gen.ip), "IPV4": ("IP", _Gen.ipv4), "IPV6": ("IP", _Gen.ipv6),
    "ORDER_ID": ("ORDER_ID", _Gen.order_id), "PASSPORT": ("PASSPORT", _Gen.passport_cn),
    "PASSPORT_ANY": ("PASSPORT", _Gen.passport_any), "PLATE": ("LICENSE_PLATE", _Gen.plate),
    "ADDR_ZH": ("ADDRESS", _Gen.addr_zh), "ADDR_EN": ("ADDRESS", _Gen.addr_en),
    "NAME_ZH": ("PERSON", _Gen.name_zh),
    "NAME_EN": ("PERSON", _Gen.name_en), "SSN": ("US_SSN", _Gen.ssn),
    **{name: (None, getattr(_Gen, name)) for name in (
        "price", "price_en", "date", "date_en", "time", "datetime", "version", "hotline", "masked", "tail",
        "qty", "qty_en", "product", "pct", "vcode", "num", "surname_zh")},
}

_TOKEN = re.compile(r"\{(\w+)\}|\[\[(.*?)\]\]", re.S)


def _parse(template: str) -> tuple:
    """Template -> pieces: a str (literal), ("slot", name) or ("alt", options)."""
    pieces: list = []
    at = 0
    for m in _TOKEN.finditer(template):
        if m.start() > at:
            pieces.append(template[at:m.start()])
        if m.group(1) is not None:
            if m.group(1) not in _SLOTS:
                raise ValueError(f"unknown slot {m.group(1)!r} in template {template!r}")
            pieces.append(("slot", m.group(1)))
        else:
            pieces.append(("alt", tuple(m.group(2).split("|"))))
        at = m.end()
    if at < len(template):
        pieces.append(template[at:])
    return tuple(pieces)


def _gold_slots(template: str) -> set[str]:
    return {name for name in re.findall(r"\{(\w+)\}", template) if _SLOTS[name][0] is not None}


_PARSED = {
    split: tuple(tuple((lang, _parse(t)) for lang, t in group) for group in groups)
    for split, groups in _TEMPLATES.items()
}
for _split, (_pii, _free) in _TEMPLATES.items():
    assert all(_gold_slots(t) for _, t in _pii), f"{_split}: a PII template without a PII slot"
    assert not any(_gold_slots(t) for _, t in _free), f"{_split}: a PII-free template with a PII slot"


def _render(g: _Gen, lang: str, pieces: tuple) -> Sample:
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    at = 0
    for piece in pieces:
        if isinstance(piece, str):
            chunks: list[tuple[str, str | None]] = [(piece, None)]
        elif piece[0] == "alt":
            chunks = [(g.r.choice(piece[1]), None)]
        else:
            label, gen = _SLOTS[piece[1]]
            value = gen(g)
            chunks = [(value, label)] if isinstance(value, str) else value
        for chunk, chunk_label in chunks:
            if chunk_label is not None:
                spans.append((at, at + len(chunk), chunk_label))
            parts.append(chunk)
            at += len(chunk)
    return Sample("".join(parts), tuple(spans), lang)


def samples(split: str = "dev", n: int = 2000, seed: int = 20261122) -> list[Sample]:
    """`n` labelled messages of one split; the same arguments always give the same list."""
    _check_split(split)
    if n < 0:
        raise ValueError("n must be >= 0")
    g = _Gen(split, seed)
    pii, free = _PARSED[split]
    n_free = round(n * PII_FREE_SHARE)
    kinds = [True] * n_free + [False] * (n - n_free)
    g.r.shuffle(kinds)
    return [_render(g, *g.r.choice(free if is_free else pii)) for is_free in kinds]
