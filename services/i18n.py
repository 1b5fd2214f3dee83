"""Server-side messages in English and Simplified Chinese, and the choice between them.

The Chainlit UI's own strings live in `.chainlit/translations/*.json`; this module holds what
hushdesk itself says in the chat (notices, consent, fixed error messages). `language` picks
"zh-CN" or "en" from a browser's Accept-Language header, `text` looks a message up and
`error_text` translates a `HushdeskError` whose message is its class's fixed default.

Error messages are keyed "error.<ClassName>"; their English text is the class's
`default_message` word for word. A custom message (one naming a setting or a path) is not
translated: it is returned unchanged in both languages.
"""

from __future__ import annotations

from .errors import HushdeskError

__all__ = ["LANGUAGES", "MESSAGES", "language", "text", "error_text"]

LANGUAGES = ("en", "zh-CN")

MESSAGES: dict[str, dict[str, str]] = {
    # Chat notices.
    "demo_notice": {
        "en": ("**Demo model.** No model is configured (HUSHDESK_MODEL_PATH), so hushdesk serves a tiny "
               "generated model. Its replies first quote your message exactly as the model received it (the "
               "personal data masked), then random noise."),
        "zh-CN": ("**演示模型。** 尚未配置模型（HUSHDESK_MODEL_PATH），hushdesk 正在使用一个自动生成的"
                  "微型模型。它的回复会先原样引用模型收到的消息（个人信息已遮盖），然后是随机文本。"),
    },
    "unsafe_error": {
        "en": "Something went wrong. Please try again.",
        "zh-CN": "出现了问题，请重试。",
    },
    "role_cannot_chat": {
        "en": "Your role cannot use the chat.",
        "zh-CN": "您的角色无法使用聊天功能。",
    },
    "consent_title": {
        "en": "Before you start",
        "zh-CN": "开始之前",
    },
    "consent_default": {
        "en": ("This assistant runs on the company's own servers. Before the model sees your messages, "
               "customers' personal data in them is replaced by placeholders. The audit trail records who "
               "used the assistant and when, never what was said. Please use it for work only. By "
               "continuing, you accept these terms."),
        "zh-CN": ("本助手运行在公司自有的服务器上。在模型看到您的消息之前，其中的客户个人信息会被替换为"
                  "占位符。审计记录只记录谁在何时使用了本助手，从不记录对话内容。请仅将其用于工作。"
                  "继续使用即表示您接受以上条款。"),
    },
    "consent_accept": {
        "en": "I accept",
        "zh-CN": "我接受",
    },
    "consent_required": {
        "en": "Please accept the notice above before chatting.",
        "zh-CN": "请先接受上方的说明，再开始聊天。",
    },
    "consent_recorded": {
        "en": "Thank you. Your acceptance has been recorded.",
        "zh-CN": "谢谢，您的确认已记录。",
    },
    "clear_conversation": {
        "en": "Clear my conversation",
        "zh-CN": "清除我的对话",
    },
    "conversation_cleared": {
        "en": "Your conversation and its placeholders have been cleared.",
        "zh-CN": "您的对话及其占位符已清除。",
    },
    "session_ended": {
        "en": "Your session has ended. Please sign in again.",
        "zh-CN": "您的会话已结束，请重新登录。",
    },
    "busy": {
        "en": "The assistant is busy. Please try again in a moment.",
        "zh-CN": "助手正忙，请稍后再试。",
    },
    "welcome_auditor": {
        "en": "Auditors use the audit page: /hushdesk/audit",
        "zh-CN": "审计员请使用审计页面：/hushdesk/audit",
    },
    # services/errors.py: "en" is each class's default_message, word for word.
    "error.HushdeskError": {
        "en": "Something went wrong. Please try again.",
        "zh-CN": "出现了问题，请重试。",
    },
    "error.StoreError": {
        "en": "The audit store could not be used.",
        "zh-CN": "无法使用审计存储。",
    },
    "error.RedactionSetupError": {
        "en": "The redaction model could not be loaded; reinstall the requirements.",
        "zh-CN": "无法加载脱敏模型，请重新安装依赖。",
    },
    "error.AuditUnavailable": {
        "en": "The audit trail cannot be written right now, so this message was not answered. "
              "Please tell your administrator.",
        "zh-CN": "审计记录当前无法写入，因此本条消息未被回答。请联系管理员。",
    },
    # services/limits.py
    "error.LimitRefused": {
        "en": "That message could not be sent right now. Please try again.",
        "zh-CN": "该消息暂时无法发送，请重试。",
    },
    "error.RateLimited": {
        "en": "You are sending messages too quickly. Please wait a moment and try again.",
        "zh-CN": "您发送消息过于频繁，请稍候再试。",
    },
    "error.TurnInFlight": {
        "en": "Please wait for the current answer before sending another message.",
        "zh-CN": "请等待当前回答完成后再发送下一条消息。",
    },
    "error.Busy": {
        "en": "The assistant is busy right now. Please try again in a moment.",
        "zh-CN": "助手当前繁忙，请稍后再试。",
    },
    "error.InputRejected": {
        "en": "That message could not be sent.",
        "zh-CN": "该消息无法发送。",
    },
    "error.ReplyBlocked": {
        "en": "The reply was withheld because it contained personal data that may not be shown.",
        "zh-CN": "该回复包含不得显示的个人信息，已被拦截。",
    },
    "error.EngineError": {
        "en": "The assistant could not finish its answer. Please try again.",
        "zh-CN": "助手未能完成回答，请重试。",
    },
    "error.EngineUnavailable": {
        "en": "The assistant is not available right now. Please try again in a moment.",
        "zh-CN": "助手暂时不可用，请稍后再试。",
    },
    "error.EngineTimeout": {
        "en": "The assistant took too long to answer. Please try again.",
        "zh-CN": "助手回答超时，请重试。",
    },
    "error.EngineStartError": {
        "en": "The model engine could not be started.",
        "zh-CN": "模型引擎无法启动。",
    },
    # services/auth/users.py
    "error.UserError": {
        "en": "The user could not be changed.",
        "zh-CN": "无法修改该用户。",
    },
    "error.InvalidUserName": {
        "en": "A user name is 1 to 64 letters, digits or the characters . _ @ -",
        "zh-CN": "用户名须为 1 到 64 个字母、数字或字符 . _ @ -",
    },
    "error.InvalidRole": {
        "en": "The role must be one of: staff, admin, auditor.",
        "zh-CN": "角色必须是以下之一：staff, admin, auditor。",
    },
    # services/auth/passwords.py
    "error.PasswordRejected": {
        "en": "That password is not allowed; choose a longer passphrase.",
        "zh-CN": "不允许使用该密码，请选择更长的密码短语。",
    },
    "error.PasswordTooShort": {
        "en": "The password must be at least 12 characters long.",
        "zh-CN": "密码至少需要 12 个字符。",
    },
    "error.PasswordTooLong": {
        "en": "The password must be at most 1024 characters long.",
        "zh-CN": "密码最多 1024 个字符。",
    },
    "error.PasswordCommon": {
        "en": "That password is too common or easy to guess; choose a longer passphrase.",
        "zh-CN": "该密码过于常见或容易猜到，请选择更长的密码短语。",
    },
    "error.PasswordContextual": {
        "en": "The password must not contain the user name or the product name.",
        "zh-CN": "密码不得包含用户名或产品名称。",
    },
    "error.PasswordRepetitive": {
        "en": "The password must not be a repeated or sequential pattern such as aaaa or 1234.",
        "zh-CN": "密码不得是重复或连续的模式，例如 aaaa 或 1234。",
    },
    # services/runtime.py
    "error.LoginRefused": {
        "en": "Too many failed sign-ins. Wait a moment and try again, or ask an administrator.",
        "zh-CN": "登录失败次数过多。请稍候再试，或联系管理员。",
    },
    "error.UserExists": {
        "en": "A user with that name already exists.",
        "zh-CN": "同名用户已存在。",
    },
    "error.UnknownUser": {
        "en": "There is no user with that name.",
        "zh-CN": "不存在该名称的用户。",
    },
    "error.LastAdmin": {
        "en": "The last enabled admin cannot be disabled or lose the admin role.",
        "zh-CN": "最后一个已启用的管理员不能被停用，也不能失去管理员角色。",
    },
    "error.PasswordMismatch": {
        "en": "The passwords do not match.",
        "zh-CN": "两次输入的密码不一致。",
    },
    # services/web/frontend.py
    "error.FrontendError": {
        "en": ("hushdesk cannot prepare its frontend: the chainlit package's built frontend is "
               "missing or not as expected."),
        "zh-CN": "hushdesk 无法准备前端：chainlit 包中已构建的前端文件缺失或与预期不符。",
    },
}

# The admin, audit and dashboard pages (services/web/pages.py and its templates): key -> (en, zh-CN).
# "notice.<code>" is the text of a notice code: an admin action's name or an error class's `notice`.
_PAGES: dict[str, tuple[str, str]] = {
    "page.skip": ("Skip to the content", "跳到正文"),
    "page.language": ("Language", "语言"),
    "page.language_name": ("English", "中文"),
    "page.nav": ("hushdesk pages", "hushdesk 页面"),
    "page.chat": ("Chat", "聊天"),
    "page.back_to_chat": ("Back to the chat", "返回聊天"),
    "page.admin": ("Administration", "管理"),
    "page.audit": ("Audit", "审计"),
    "page.dashboard_link": ("Usage dashboard", "使用情况"),
    "page.export": ("Export (JSON lines)", "导出（JSON Lines）"),
    "page.signout": ("Sign out", "退出登录"),
    "page.yes": ("yes", "是"),
    "page.no": ("no", "否"),
    "role.staff": ("staff", "员工"),
    "role.admin": ("admin", "管理员"),
    "role.auditor": ("auditor", "审计员"),
    "status.enabled": ("enabled", "已启用"),
    "status.disabled": ("disabled", "已停用"),
    "status.locked": ("locked", "已锁定"),
    "source.password": ("password", "密码"),
    # Admin page.
    "admin.title": ("hushdesk — Administration", "hushdesk — 管理"),
    "admin.note": ("Usage is anonymized; no conversation is stored or shown here.",
                   "使用情况已匿名化；此处不存储、不显示任何对话内容。"),
    "admin.live": ("Live sessions", "在线会话"),
    "admin.end_all": ("End all sessions", "结束所有会话"),
    "admin.users": ("Users", "用户"),
    "admin.col.name": ("name", "用户名"),
    "admin.col.role": ("role", "角色"),
    "admin.col.status": ("status", "状态"),
    "admin.col.failed": ("failed sign-ins", "登录失败次数"),
    "admin.col.source": ("sign-in", "登录方式"),
    "admin.col.consent": ("consent", "已同意说明"),
    "admin.col.actions": ("actions", "操作"),
    "admin.action.disable": ("Disable", "停用"),
    "admin.action.enable": ("Enable", "启用"),
    "admin.action.unlock": ("Unlock", "解锁"),
    "admin.action.end-sessions": ("End sessions", "结束会话"),
    "admin.add": ("Add a user", "添加用户"),
    "admin.add_button": ("Add", "添加"),
    "admin.set_role": ("Change a role", "更改角色"),
    "admin.set_role_button": ("Set role", "设置角色"),
    "admin.field.name": ("Name", "用户名"),
    "admin.field.role": ("Role", "角色"),
    "admin.field.password": ("Password", "密码"),
    # Admin notices: the action done, or the error class's notice code.
    "notice.add": ("User created.", "已创建用户。"),
    "notice.disable": ("User disabled; their sessions ended.", "已停用用户并结束其会话。"),
    "notice.enable": ("User enabled.", "已启用用户。"),
    "notice.unlock": ("User unlocked.", "已解锁用户。"),
    "notice.set-role": ("Role changed; their sessions ended.", "已更改角色并结束其会话。"),
    "notice.end-sessions": ("Their sessions ended.", "已结束其会话。"),
    "notice.unknown": ("There is no user with that name.", "没有该用户。"),
    "notice.exists": ("A user with that name already exists.", "该用户名已存在。"),
    "notice.weak": ("That password does not meet the policy.", "密码不符合要求。"),
    "notice.invalid": ("That name or role is not valid.", "用户名或角色无效。"),
    "notice.last-admin": ("The last enabled admin cannot be disabled or lose the role.",
                          "不能停用最后一个已启用的管理员，也不能更改其角色。"),
    "notice.failed": ("The change could not be made.", "无法完成更改。"),
    # Dashboard range notices (services.audit.dashboard.BadRange codes).
    "notice.badDate": ("Dates must be written YYYY-MM-DD, between 2000-01-01 and 9998-12-31.",
                       "日期须写作 YYYY-MM-DD，且在 2000-01-01 到 9998-12-31 之间。"),
    "notice.badRange": ("The start date must not be after the end date.", "开始日期不得晚于结束日期。"),
    "notice.rangeTooLong": ("A range may span at most 366 days.", "一个时间范围最多 366 天。"),
    # Audit page.
    "audit.title": ("hushdesk — Audit", "hushdesk — 审计"),
    "audit.note": ("Rows hold keyed hashes, times, counts and outcomes; never what was said.",
                   "记录仅含哈希、时间、计数和结果，从不含对话内容。"),
    "verify.ok": ("Chain verified", "审计链完整"),
    "verify.broken": ("Chain broken", "审计链损坏"),
    "verify.failed": ("Chain not verified", "审计链未能验证"),
    # Dashboard page; "{k}"-style fields are filled in by dashboard.js.
    "dash.title": ("hushdesk — Usage dashboard", "hushdesk — 使用情况"),
    "dash.privacy": ("Anonymized: counts and timings only, never what was said and never per user. Any hour, "
                     "day or range with fewer than {k} distinct users is suppressed. Days are UTC.",
                     "匿名统计：仅计数与时间，不含对话内容，不按用户显示；少于 {k} 位用户的时段、日期或范围不显示。"
                     "日期按 UTC 计算。"),
    "dash.range": ("Date range (UTC)", "日期范围（UTC）"),
    "dash.from": ("From", "从"),
    "dash.to": ("To", "至"),
    "dash.show": ("Show", "显示"),
    "dash.loading": ("Loading…", "加载中…"),
    "dash.failed": ("The dashboard could not be loaded.", "无法加载使用情况。"),
    "dash.loaded": ("{from} – {to} (UTC), {days} days; {n} suppressed (< {k} users).",
                    "{from} – {to}（UTC），共 {days} 天；{n} 天已隐藏（少于 {k} 位用户）。"),
    "dash.engine": ("Engine", "引擎"),
    "dash.summary": ("Summary", "汇总"),
    "dash.redactions": ("Redactions by type", "按类型的脱敏"),
    "dash.charts": ("Charts", "图表"),
    "dash.per_day": ("Per day", "每日"),
    "dash.suppressed": ("suppressed (< {k} users)", "已隐藏（少于 {k} 位用户）"),
    "dash.gaps": ("gaps: {text}", "空缺：{text}"),
    "dash.hourly_limit": ("Hourly view for ranges up to 31 days", "仅限 31 天以内的范围按小时显示"),
    "dash.no_redactions": ("No redactions in this range", "此期间无脱敏"),
    "dash.not_available": ("Not available", "不可用"),
    "dash.type": ("type", "类型"),
    "dash.in_messages": ("in messages", "消息中"),
    "dash.in_replies": ("in replies", "回复中"),
    "dash.state": ("State", "状态"),
    "dash.restarts": ("Restarts", "重启次数"),
    "dash.recycles": ("Planned recycles", "计划重启"),
    "dash.up_since": ("Up since (UTC)", "启动时间（UTC）"),
    "dash.uptime": ("Uptime", "运行时间"),
    "dash.day": ("day (UTC)", "日期（UTC）"),
    "dash.users": ("Distinct active users", "活跃用户"),
    "dash.turns": ("Turns", "对话轮次"),
    "dash.ok": ("Answered", "已回答"),
    "dash.failures": ("Failed", "失败"),
    "dash.refusals": ("Refused (input rejected, reply blocked)", "拒绝（输入被拒、回复被拦截）"),
    "dash.other": ("Cancelled", "取消"),
    "dash.failure_rate": ("Failure rate", "失败率"),
    "dash.refusal_rate": ("Refusal rate", "拒绝率"),
    "dash.prompt_tokens": ("Tokens in", "输入词元"),
    "dash.completion_tokens": ("Tokens out", "输出词元"),
    "dash.latency_p50": ("Latency p50", "延迟 p50"),
    "dash.latency_p95": ("Latency p95", "延迟 p95"),
    "dash.ttft_p50": ("Time to first token p50", "首词元时间 p50"),
    "dash.ttft_p95": ("Time to first token p95", "首词元时间 p95"),
    "dash.col.users": ("users", "用户"),
    "dash.col.turns": ("turns", "轮次"),
    "dash.col.failures": ("failed", "失败"),
    "dash.col.refusals": ("refused", "拒绝"),
    "dash.col.prompt_tokens": ("tokens in", "输入词元"),
    "dash.col.completion_tokens": ("tokens out", "输出词元"),
    "dash.col.latency_p50": ("latency p50", "延迟 p50"),
    "dash.col.latency_p95": ("latency p95", "延迟 p95"),
    "dash.col.ttft_p50": ("TTFT p50", "首词元 p50"),
    "dash.col.ttft_p95": ("TTFT p95", "首词元 p95"),
    "dash.set.answered": ("answered", "已回答"),
    "dash.set.failed": ("failed", "失败"),
    "dash.set.refused": ("refused", "拒绝"),
    "dash.set.cancelled": ("cancelled", "取消"),
    "dash.set.turns": ("turns", "轮次"),
    "dash.set.users": ("users", "用户"),
    "dash.set.in": ("in", "输入"),
    "dash.set.out": ("out", "输出"),
    "dash.set.failure_rate": ("failure %", "失败率 %"),
    "dash.set.refusal_rate": ("refusal %", "拒绝率 %"),
    "dash.chart.turns-day": ("Turns per day (UTC)", "每日对话轮次（UTC）"),
    "dash.chart.turns-hour": ("Turns per hour (UTC, ranges up to 31 days)", "每小时对话轮次（UTC，31 天以内）"),
    "dash.chart.users": ("Distinct active users per day", "每日活跃用户数"),
    "dash.chart.tokens": ("Tokens in and out per day", "每日输入与输出词元"),
    "dash.chart.latency": ("Latency p50 / p95 per day (ms)", "每日延迟 p50 / p95（毫秒）"),
    "dash.chart.ttft": ("Time to first token p50 / p95 per day (ms)", "每日首词元时间 p50 / p95（毫秒）"),
    "dash.chart.rates": ("Failure and refusal rates per day", "每日失败率与拒绝率"),
    "dash.chart.redactions": ("Redactions by type", "按类型的脱敏"),
}
MESSAGES.update({key: {"en": en, "zh-CN": zh} for key, (en, zh) in _PAGES.items()})


def _preferred(accept_language: str) -> str | None:
    """The language tag with the highest q-value (earliest on ties), lower-cased, or None."""
    best: tuple[float, str] | None = None
    for part in accept_language.split(","):
        tag, *params = (p.strip() for p in part.split(";"))
        if not tag:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0 and (best is None or q > best[0]):
            best = (q, tag.lower().replace("_", "-"))
    return best[1] if best else None


def language(accept_language: str | None) -> str:
    """Return "zh-CN" when the browser's preferred language is any Chinese (zh, zh-*), else "en"."""
    tag = _preferred(accept_language or "")
    if tag is None:
        return "en"
    return "zh-CN" if tag.split("-", 1)[0] == "zh" else "en"


def text(key: str, lang: str, **fmt: object) -> str:
    """The message `key` in `lang` (English if not translated), formatted only when `fmt` is given."""
    entry = MESSAGES[key]
    message = entry.get(lang) or entry["en"]
    return message.format(**fmt) if fmt else message


def error_text(exc: BaseException, lang: str) -> str:
    """A HushdeskError's message in `lang`: its default message translated, a custom one unchanged."""
    if not isinstance(exc, HushdeskError):
        return text("unsafe_error", lang)
    if lang == "en":
        return exc.message
    own = getattr(exc, "translations", None)  # an error whose message carries a value (a minimum length)
    if isinstance(own, dict) and isinstance(own.get(lang), str):
        return own[lang]
    if exc.message != type(exc).default_message:
        return exc.message
    for cls in type(exc).__mro__:
        entry = MESSAGES.get(f"error.{cls.__name__}")
        if entry is not None and getattr(cls, "default_message", None) == exc.message:
            return entry.get(lang) or exc.message
    return exc.message



# Answers from the knowledge base in the chat (services/chat.py, app.py) and the dashboard's figures of it
# (services/audit/dashboard.py, dashboard.js): key -> (en, zh-CN).
_KB_CHAT: dict[str, tuple[str, str]] = {
    "kb_unavailable": ("The knowledge base could not be searched, so this message was not answered. Try again, "
                       "or turn the knowledge base off in the chat settings.",
                       "无法检索知识库，因此未回答此消息。请重试，或在聊天设置中关闭知识库。"),
    "kb_use": ("Answer from the knowledge base", "根据知识库回答"),
    "kb_choose": ("Collections to search", "要检索的文档集"),
    "kb_sources": ("Sources", "来源"),
    "dash.kb": ("Knowledge base", "知识库"),
    "dash.kb_searched": ("Questions searched in the knowledge base", "在知识库中检索的问题"),
    "dash.kb_with_sources": ("Answered with sources", "有来源的回答"),
    "dash.kb_without_sources": ("Answered without sources", "无来源的回答"),
    "dash.kb_no_answer_rate": ("Searches the documents did not answer", "文档未能回答的检索比例"),
    "dash.kb_latency_p50": ("Search time p50", "检索时间 p50"),
    "dash.kb_latency_p95": ("Search time p95", "检索时间 p95"),
}
MESSAGES.update({key: {"en": en, "zh-CN": zh} for key, (en, zh) in _KB_CHAT.items()})

# What the chat page shows of each sent message (services/web/turns.py, static/hushdesk.js): key -> (en, zh-CN).
_TURNS: dict[str, tuple[str, str]] = {
    "turns.model_saw": ("model saw", "模型收到"),
    "turns.not_masked": ("Something was not masked", "有内容没有遮盖"),
    "turns.label": ("What was it?", "是什么信息？"),
    "turns.mask_text": ("Text to mask from now on (optional; select it in your message)",
                        "之后要遮盖的文字（可选；可在消息中选中）"),
    "turns.report": ("Report and take this message out", "报告并撤出这条消息"),
    "turns.cancel": ("Cancel", "取消"),
    "turns.reported": ("Reported. The model will not see this message again.", "已报告。模型不会再看到这条消息。"),
    "turns.reported_masked": ("Reported. The model will not see this message again, and that text is masked "
                              "for the rest of this conversation.",
                              "已报告。模型不会再看到这条消息，该文字在本次对话中将被遮盖。"),
    "turns.failed": ("The report could not be sent. Try again.", "报告未能发送，请重试。"),
    "turns.your_value": ("your value", "您输入的内容"),
    "turns.blocked": ("kept masked by policy", "按策略保持遮盖"),
    "turns.model_will_see": ("model will see", "模型将收到"),
    "turns.mask_more": ("Mask more", "遮盖更多"),
    "turns.mask": ("Mask", "遮盖"),
    "turns.mask_hint": ("Text to mask (select it in your message)", "要遮盖的文字（可在消息中选中）"),
    "check.toggle": ("Check before sending", "发送前检查"),
    "check.notice": ("**Check before sending.** The line under your message shows what the model will receive. "
                     "Mask more there if something is not masked, then send.",
                     "**发送前检查。** 消息下方一行是模型将收到的内容。如有未遮盖的信息，请在那里遮盖更多，然后发送。"),
    "check.send": ("Send to the model", "发送给模型"),
    "check.cancel": ("Do not send", "不发送"),
    "check.cancelled": ("Not sent. The model did not receive that message.", "未发送。模型没有收到这条消息。"),
    "dash.misses": ("Reported redaction misses", "报告的遮盖遗漏"),
    "dash.no_misses": ("No misses reported.", "没有报告的遗漏。"),
    "dash.all_days": ("All days", "全部日期"),
    "dash.misses_note": ("Messages staff reported as holding a value redaction missed, by the label they chose.",
                         "员工报告含有未被遮盖信息的消息，按其选择的类别统计。"),
}
MESSAGES.update({key: {"en": en, "zh-CN": zh} for key, (en, zh) in _TURNS.items()})

# The admin console's knowledge-base pages (services/web/kb_pages.py, templates/kb*.html, static/kb_upload.js):
# key -> (en, zh-CN). "kb.reject.<slug>" holds each fixed refusal of services/kb/parse.py word for word in
# English ({mb}: the size limit), so a refusal is shown in the page's language.
_KB_PAGES: dict[str, tuple[str, str]] = {
    "kb.link": ("Knowledge base", "知识库"),
    "kb.title": ("hushdesk — Knowledge base", "hushdesk — 知识库"),
    "kb.note": ("Documents are redacted when they are added: only redacted passages are stored, searched and shown.",
                "文档在添加时即已脱敏：只存储、检索和显示脱敏后的段落。"),
    "kb.collections": ("Collections", "文档集"),
    "kb.no_collections": ("No collections yet.", "还没有文档集。"),
    "kb.col.name": ("name", "名称"),
    "kb.col.documents": ("documents", "文档数"),
    "kb.col.passages": ("passages", "段落数"),
    "kb.col.access": ("access", "访问权限"),
    "kb.col.created": ("created (UTC)", "创建时间（UTC）"),
    "kb.col.source": ("source", "来源"),
    "kb.col.type": ("type", "类型"),
    "kb.col.pages": ("pages", "页数"),
    "kb.col.redactions": ("redacted", "已脱敏"),
    "kb.col.added": ("added (UTC)", "添加时间（UTC）"),
    "kb.col.sha": ("SHA-256", "SHA-256"),
    "kb.col.actions": ("actions", "操作"),
    "kb.col.heading": ("heading", "标题"),
    "kb.col.page": ("page", "页码"),
    "kb.col.score": ("score", "得分"),
    "kb.col.text": ("passage (redacted)", "段落（已脱敏）"),
    "kb.nobody": ("nobody", "无人"),
    "kb.none": ("none", "无"),
    "kb.grantee.role": ("{role} (role)", "{role}（角色）"),
    "kb.grantee.group": ("group {name}", "群组 {name}"),
    "kb.create": ("Create a collection", "新建文档集"),
    "kb.create_button": ("Create", "创建"),
    "kb.field.name": ("Name", "名称"),
    "kb.all": ("All collections", "全部文档集"),
    "kb.collection_title": ("Collection: {name}", "文档集：{name}"),
    "kb.documents": ("Documents", "文档"),
    "kb.no_documents": ("No documents in this collection yet.", "此文档集中还没有文档。"),
    "kb.delete_document": ("Delete", "删除"),
    "kb.reindex": ("Re-index this collection", "重建此文档集的索引"),
    "kb.reindex_button": ("Re-index", "重建索引"),
    "kb.upload": ("Add files", "添加文件"),
    "kb.upload_field": ("Files: PDF, DOCX, Markdown, HTML, text, XLSX or CSV, up to {mb} MB each",
                        "文件：PDF、DOCX、Markdown、HTML、文本、XLSX 或 CSV，每个不超过 {mb} MB"),
    "kb.upload_button": ("Upload", "上传"),
    "kb.upload_note": ("A file already added under the same name is replaced when it changed, and kept when it did not.",
                       "同名文件已存在时：内容有变化则替换，未变化则保留。"),
    "kb.results": ("Upload results", "上传结果"),
    "kb.access": ("Access", "访问权限"),
    "kb.grant": ("Grant access", "授予访问权限"),
    "kb.field.grantee": ("Who", "授予对象"),
    "kb.option.staff": ("Staff (role)", "员工（角色）"),
    "kb.option.admin": ("Admins (role)", "管理员（角色）"),
    "kb.option.group": ("A group of the identity provider (name below)", "身份提供方的群组（在下方填写名称）"),
    "kb.field.group": ("Group name", "群组名称"),
    "kb.grant_button": ("Grant", "授予"),
    "kb.revoke": ("Revoke", "撤销"),
    "kb.delete": ("Delete this collection", "删除此文档集"),
    "kb.delete_confirm": ("Yes, delete this collection and its {documents} documents",
                          "确认删除此文档集及其 {documents} 个文档"),
    "kb.delete_button": ("Delete collection", "删除文档集"),
    "kb.search": ("Search this collection", "在此文档集中搜索"),
    "kb.field.question": ("Question", "问题"),
    "kb.search_button": ("Search", "搜索"),
    "kb.search_note": ("Results show the passages as stored: redacted.", "结果显示存储的段落：已脱敏。"),
    "kb.results_for": ("Top results", "最佳结果"),
    "kb.no_results": ("No passage matches.", "没有匹配的段落。"),
    "kb.no_answer": ("The best score is under the answer threshold: the chat would say the documents do not cover this.",
                     "最高得分低于回答阈值：聊天会回答文档未涉及此问题。"),
    "kb.result.added": ("Added: {passages} passages; redacted: {redactions}.", "已添加：{passages} 个段落；脱敏：{redactions}。"),
    "kb.result.replaced": ("Replaced (the file changed): {passages} passages; redacted: {redactions}.",
                           "已替换（文件有变化）：{passages} 个段落；脱敏：{redactions}。"),
    "kb.result.unchanged": ("Unchanged (the same file is already there): {passages} passages.",
                            "未变化（已有相同文件）：{passages} 个段落。"),
    "kb.result.refused": ("Not added: {reason}", "未添加：{reason}"),
    "kb.uploaded": ("Upload done: {added} added, {replaced} replaced, {unchanged} unchanged, {refused} not added.",
                    "上传完成：添加 {added} 个，替换 {replaced} 个，未变化 {unchanged} 个，未添加 {refused} 个。"),
    "kb.js.waiting": ("waiting", "等待中"),
    "kb.js.sending": ("uploading", "上传中"),
    "kb.js.processing": ("redacting and indexing…", "正在脱敏并建立索引…"),
    "kb.js.failed": ("The upload failed; nothing was added. Try again.", "上传失败，未添加任何内容。请重试。"),
    "kb.js.progress": ("Upload progress of {name}", "{name} 的上传进度"),
    "kb.refresh": ("Show the updated list of documents", "显示更新后的文档列表"),
    # Notices (?done=<code>) of the knowledge-base pages, and the notice codes of services/kb's errors.
    "notice.kb-created": ("Collection created.", "已创建文档集。"),
    "notice.kb-deleted": ("Collection deleted.", "已删除文档集。"),
    "notice.kb-granted": ("Access granted.", "已授予访问权限。"),
    "notice.kb-revoked": ("Access revoked.", "已撤销访问权限。"),
    "notice.kb-removed": ("Document deleted.", "已删除文档。"),
    "notice.kb-missing": ("There is no such document in this collection.", "此文档集中没有该文档。"),
    "notice.kb-reindexed": ("Collection re-indexed.", "已重建文档集索引。"),
    "notice.kb-confirm": ("Tick the box to confirm the deletion.", "请勾选确认框以确认删除。"),
    "notice.kb-grantee": ("Choose a role, or give a group name without spaces.", "请选择角色，或填写不含空格的群组名称。"),
    "notice.kb-no-files": ("Choose at least one file.", "请至少选择一个文件。"),
    "notice.kb_failed": ("The knowledge base could not do that.", "知识库无法完成此操作。"),
    "notice.kb_unknown_collection": ("There is no collection of that name.", "没有该名称的文档集。"),
    "notice.kb_invalid_name": ("A collection name is 1 to 64 characters, without control characters.",
                               "文档集名称为 1 到 64 个字符，不含控制字符。"),
    "notice.rejected": ("The file could not be added.", "无法添加该文件。"),
    "kb.reject.type": ("This file type is not supported (PDF, DOCX, Markdown, HTML, text, XLSX or CSV).",
                       "不支持此文件类型（PDF、DOCX、Markdown、HTML、文本、XLSX 或 CSV）。"),
    "kb.reject.too_large": ("The file is larger than the limit ({mb} MB).", "文件超过大小上限（{mb} MB）。"),
    "kb.reject.empty": ("The file is empty.", "文件为空。"),
    "kb.reject.unreadable": ("The file could not be read.", "无法读取该文件。"),
    "kb.reject.damaged": ("The file is damaged or not a valid file of its type.", "文件已损坏，或不是其类型的有效文件。"),
    "kb.reject.no_text": ("No text was found in the file (a scanned PDF needs text recognition first).",
                          "文件中没有找到文字（扫描的 PDF 需先进行文字识别）。"),
    "kb.reject.not_pdf": ("The file is not a PDF, although its name says so.", "文件名显示为 PDF，但文件并不是 PDF。"),
    "kb.reject.pdf_encrypted": ("The PDF is encrypted; save an unprotected copy and add that.",
                                "该 PDF 已加密；请另存一份未加密的副本再添加。"),
    "kb.reject.old_docx": ("The DOCX file is encrypted or in the old format; save it as an unprotected DOCX file.",
                           "该 DOCX 文件已加密或为旧格式；请另存为未加密的 DOCX 文件。"),
    "kb.reject.old_xlsx": ("The XLSX file is encrypted or in the old format; save it as an unprotected XLSX file.",
                           "该 XLSX 文件已加密或为旧格式；请另存为未加密的 XLSX 文件。"),
    "kb.reject.not_docx": ("The file is not a DOCX file, although its name says so.", "文件名显示为 DOCX，但文件并不是 DOCX 文件。"),
    "kb.reject.not_xlsx": ("The file is not a XLSX file, although its name says so.", "文件名显示为 XLSX，但文件并不是 XLSX 文件。"),
    "kb.reject.not_text": ("The file is not text in UTF-8 or GB18030, although its name says so.",
                           "文件名显示为文本，但文件不是 UTF-8 或 GB18030 编码的文本。"),
    "kb.reject.not_html": ("The file is not HTML, although its name says so.", "文件名显示为 HTML，但文件并不是 HTML。"),
    "kb.reject.no_name": ("The file has no usable name.", "文件名无效。"),
}
MESSAGES.update({key: {"en": en, "zh-CN": zh} for key, (en, zh) in _KB_PAGES.items()})
