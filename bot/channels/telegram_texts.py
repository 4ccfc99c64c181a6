"""The Telegram channel's own words: command help, menus, confirmations of a vote or a setting.

These describe Telegram itself (its commands, its buttons), so they live with the channel; every
answer about education policy comes from the content through the dialogue.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "help": {
        "zh": "直接发文字问题即可，例如“随迁子女怎么入学？”。点按钮可以选择选项或相关问题，"
              "👍/👎 告诉我答案是否有用。\n"
              "命令：/start 欢迎与主题　/topics 按主题浏览　"
              "/lang zh|en|auto 回复语言　/help 帮助\n"
              "在群里请 @我 或回复我的消息提问。",
        "en": "Just type your question, for example \"Can migrant children attend public schools "
              "in Wenzhou?\". Buttons pick an option or a related question; 👍/👎 tell me whether "
              "an answer helped.\n"
              "Commands: /start welcome and topics, /topics browse by topic, "
              "/lang zh|en|auto reply language, /help this help.\n"
              "In a group, mention me or reply to my message.",
    },
    "topics": {"zh": "请选择一个主题：", "en": "Choose a topic:"},
    "lang_usage": {
        "zh": "用法：/lang zh（中文）、/lang en（English）或 /lang auto（按消息自动判断）。",
        "en": "Usage: /lang zh (Chinese), /lang en (English) or /lang auto (detect from each "
              "message).",
    },
    "lang_zh": {"zh": "好的，之后用中文回答。", "en": "好的，之后用中文回答。"},
    "lang_en": {"zh": "OK, I will answer in English.", "en": "OK, I will answer in English."},
    "lang_auto": {"zh": "好的，我会按您每条消息的语言回答。",
                  "en": "OK, I will answer in the language of each message."},
    "edited": {"zh": "我不会重新读修改过的消息，请把问题作为一条新消息发给我。",
               "en": "I do not re-read edited messages; please send your question as a new "
                     "message."},
    "voted": {"zh": "谢谢您的反馈！", "en": "Thank you for your feedback!"},
    "vote_gone": {"zh": "这条回答已无法评价。", "en": "This answer can no longer be rated."},
}
