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
               "generated model whose replies are random noise."),
        "zh-CN": ("**演示模型。** 尚未配置模型（HUSHDESK_MODEL_PATH），hushdesk 正在使用一个自动生成的"
                  "微型模型，其回复均为随机文本。"),
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
