"""Every sentence the bot says, in English and Korean.

Word order belongs to the templates: where English and Korean put things in a different order,
each template places its values itself, so the code that fills them never asks which language
it is writing.
"""

from __future__ import annotations

from string import Formatter

from bot.core.text import has_hangul, has_latin

LOCALES = ("en", "ko")

_TEXT: dict[str, dict[str, str]] = {
    "intro_one": {
        "en": "Here's {what} for you:",
        "ko": "{what} 추천해요:",
    },
    "intro_many": {
        "en": "Here are {n} {what} for you:",
        "ko": "{what} {n}곡 추천해요:",
    },
    "what_plain_one": {"en": "an OST", "ko": "OST"},
    "what_plain_many": {"en": "OSTs", "ko": "OST"},
    "what_tags_one": {"en": "{article} {tags} OST", "ko": "{tags} OST"},
    "what_tags_many": {"en": "{tags} OSTs", "ko": "{tags} OST"},
    "what_scoped": {"en": "{what} {scope}", "ko": "{scope} {what}"},
    "from_drama": {"en": "from {drama}", "ko": "{drama}의"},
    "by_artist": {"en": "by {artist}", "ko": "{artist}의"},
    "similar_to": {"en": "like {title}", "ko": "'{title}'와 비슷한"},
    "capped": {
        "en": 'You asked for {asked}; I send at most {max} at a time. Say "another" for more.',
        "ko": '{asked}곡을 요청하셨지만 한 번에 최대 {max}곡까지 보내요. 더 들으려면 "다른 거"라고 해 주세요.',
    },
    "truncated": {
        "en": "(That was a long message; I read the first {n} characters.)",
        "ko": "(메시지가 길어서 앞의 {n}자만 읽었어요.)",
    },
    "relaxed_tags": {
        "en": "No {tags} songs {scope}. Here are its {shown} ones instead.",
        "ko": "{scope} {tags} 노래는 없어요. 대신 {shown} 노래를 골랐어요.",
    },
    "relaxed_tags_plain": {
        "en": "No {tags} songs {scope}, so here's what it has.",
        "ko": "{scope} {tags} 노래는 없어서 다른 곡을 골랐어요.",
    },
    "relaxed_tags_voice": {
        "en": "No {tags} songs are {voice}. Here are {voice} {shown} ones instead.",
        "ko": "{voice} {tags} 노래는 없어요. 대신 {voice} {shown} 노래를 골랐어요.",
    },
    "relaxed_voice": {
        "en": "No {voice} songs {scope}, so I left that out.",
        "ko": "{scope} {voice} 노래는 없어서 그 조건은 뺐어요.",
    },
    "relaxed_theme": {
        "en": "No main theme {scope} fits that, so I picked from the well-known songs.",
        "ko": "{scope} 조건에 맞는 메인 테마곡이 없어서 인기곡 중에서 골랐어요.",
    },
    "relaxed_popular": {
        "en": "No well-known song {scope} fits that, so here are lesser-known ones.",
        "ko": "{scope} 조건에 맞는 인기곡이 없어서 다른 곡을 골랐어요.",
    },
    "relaxed_deep": {
        "en": "No lesser-known song {scope} fits that, so here are well-known ones.",
        "ko": "{scope} 조건에 맞는 숨은 곡이 없어서 알려진 곡을 골랐어요.",
    },
    # How well known the songs asked for are, before the moods: "3 well-known sad OSTs".
    "known_popular": {"en": "well-known", "ko": "인기"},
    "known_theme": {"en": "main-theme", "ko": "메인 테마"},
    "known_deep": {"en": "lesser-known", "ko": "숨은"},
    "relaxed_years": {
        "en": "No match {years}, so I looked at every year.",
        "ko": "{years}에는 맞는 곡이 없어서 모든 연도에서 찾았어요.",
    },
    "relaxed_artist": {
        "en": "{artist} has no songs in {drama}, so here's the rest of its soundtrack.",
        "ko": "{drama}에는 {artist}의 노래가 없어서 다른 곡을 골랐어요.",
    },
    "relaxed_drama": {
        "en": "Nothing {scope} fits that, so I picked from every drama.",
        "ko": "{scope} 맞는 곡이 없어서 전체 드라마에서 골랐어요.",
    },
    "restarted": {
        "en": "You've heard all {n} matching songs, so I'm starting the list over.",
        "ko": "조건에 맞는 {n}곡을 모두 들으셨어요. 처음부터 다시 추천할게요.",
    },
    "nothing": {
        "en": 'I couldn\'t find a song for that. Try a mood ("healing", "sad"), a drama or an artist.',
        "ko": '맞는 곡을 찾지 못했어요. 분위기("힐링", "슬픈"), 드라마, 가수로 다시 물어봐 주세요.',
    },
    "all_disliked": {
        "en": "Every song that matches is one you disliked. Try another mood or drama.",
        "ko": "조건에 맞는 곡은 모두 싫어요를 누르신 곡이에요. 다른 분위기나 드라마로 물어봐 주세요.",
    },
    "not_understood": {
        "en": 'I didn\'t catch a mood, drama or artist in "{text}".',
        "ko": '"{text}"에서 분위기, 드라마, 가수를 찾지 못했어요.',
    },
    "did_you_mean": {"en": "Did you mean: {options}?", "ko": "혹시 이것을 찾으셨나요: {options}?"},
    "try": {
        "en": 'Try "recommend a healing OST", "sad songs from Goblin", "songs by Baekhyun" or "moods".',
        "ko": '"힐링 OST 추천해줘", "도깨비 슬픈 노래", "백현 노래", "무드"처럼 물어봐 주세요.',
    },
    "empty": {
        "en": "Tell me a mood, a drama or an artist and I'll find you an OST.",
        "ko": "분위기, 드라마, 가수를 알려 주시면 OST를 찾아 드릴게요.",
    },
    "footer": {
        "en": 'Say "another" for more, or "like" / "dislike" to tune my picks.',
        "ko": '더 들으려면 "다른 거", 취향을 알려 주려면 "좋아요" / "싫어요"라고 해 주세요.',
    },
    "years_span": {"en": "from {span}", "ko": "{span}년"},
    "years_from": {"en": "from {year} on", "ko": "{year}년 이후"},
    "years_before": {"en": "before {year}", "ko": "{year}년 이전"},
    "unrecognised": {
        "en": "(I didn't recognise: {words}.)",
        "ko": "(알아듣지 못한 말: {words})",
    },
    "why": {"en": "Why", "ko": "추천 이유"},
    "listen": {"en": "Listen", "ko": "듣기"},
    "part": {"en": "Part {n}", "ko": "Part {n}"},
    "you_liked": {"en": "you liked {artist}", "ko": "{artist}을(를) 좋아하셨어요"},
    "shares": {"en": "shares {tags} with {title}", "ko": "'{title}'처럼 {tags}"},
    "no_drama": {
        "en": 'I don\'t know a drama called "{name}".',
        "ko": '"{name}"라는 드라마를 찾지 못했어요.',
    },
    "no_artist": {
        "en": 'I don\'t know an artist called "{name}".',
        "ko": '"{name}"라는 가수를 찾지 못했어요.',
    },
    "no_track": {
        "en": 'I don\'t know a song called "{name}".',
        "ko": '"{name}"라는 곡을 찾지 못했어요.',
    },
    "need_name": {
        "en": "Which {what}? For example: {example}",
        "ko": "어떤 {what}인가요? 예: {example}",
    },
    "drama_header": {
        "en": "{title} ({title_ko}) · {network} · {years}",
        "ko": "{title_ko} ({title}) · {network} · {years}",
    },
    "drama_source": {"en": "Source: {url}", "ko": "출처: {url}"},
    "artist_header": {"en": "Songs by {name}:", "ko": "{name}의 노래:"},
    "dramas_header": {
        "en": "{n} dramas in the catalog (page {page} of {pages}):",
        "ko": "카탈로그의 드라마 {n}편 ({page}/{pages}쪽):",
    },
    "dramas_more": {
        "en": 'Say "dramas {next}" for the next page, or "drama NAME" for a soundtrack.',
        "ko": '다음 쪽은 "dramas {next}", OST 목록은 "drama 이름"이라고 해 주세요.',
    },
    "another_none": {
        "en": 'Ask me for something first, then say "another" for the next pick.',
        "ko": '먼저 추천을 요청한 뒤 "다른 거"라고 해 주세요.',
    },
    "liked": {
        "en": "Noted: you like {title} by {artist}. I'll lean toward songs like it.",
        "ko": "{artist}의 '{title}'을(를) 좋아하신다고 기억할게요.",
    },
    "disliked": {
        "en": "Noted: I won't recommend {title} by {artist} to you again.",
        "ko": "{artist}의 '{title}'은(는) 다시 추천하지 않을게요.",
    },
    "feedback_which": {
        "en": "Which song? I have nothing recent to {verb}. Ask for a recommendation first.",
        "ko": "어떤 곡인가요? 최근 추천한 곡이 없어요. 먼저 추천을 받아 보세요.",
    },
    "feedback_pick": {
        "en": '(That was the first of the last {n} songs; say "{verb} 2" for the second.)',
        "ko": '(마지막 {n}곡 중 첫 곡이에요. 두 번째 곡이면 "{verb} 2"라고 해 주세요.)',
    },
    "history_header": {
        "en": "Your last {n} recommendations:",
        "ko": "최근 추천한 {n}곡:",
    },
    "history_empty": {
        "en": "No recommendations yet. Ask for a mood, drama or artist!",
        "ko": "아직 추천한 곡이 없어요. 분위기, 드라마, 가수를 말해 보세요!",
    },
    "stale_button": {
        "en": "That button has expired. Ask me again and I'll make you new ones.",
        "ko": "만료된 버튼이에요. 다시 요청해 주시면 새로 만들어 드릴게요.",
    },
    "not_owner": {
        "en": "Only the bot's owners can do that.",
        "ko": "봇 관리자만 사용할 수 있는 명령이에요.",
    },
    "reloaded": {
        "en": "Catalog reloaded: {dramas} dramas, {tracks} tracks.",
        "ko": "카탈로그를 다시 불러왔어요: 드라마 {dramas}편, {tracks}곡.",
    },
    "reload_failed": {
        "en": "The catalog has errors and was not reloaded:\n{errors}",
        "ko": "카탈로그에 오류가 있어 다시 불러오지 않았어요:\n{errors}",
    },
    "moods_header": {
        "en": 'Moods I know (say one, e.g. "healing" or "sad winter"):',
        "ko": '알고 있는 분위기예요 (예: "힐링", "슬픈 겨울"):',
    },
    "moods_more": {
        "en": "Also energy ({energy}), seasons ({season}) and scenes ({scene}).",
        "ko": "그 밖에 에너지({energy}), 계절({season}), 장면({scene})도 알아요.",
    },
    "about": {
        "en": (
            "ostbot recommends Korean drama soundtracks from a catalog of {tracks} songs "
            "from {dramas} dramas ({first}-{last}), each drama checked against a public "
            "source that lists its soundtrack."
        ),
        "ko": (
            "ostbot은 드라마 {dramas}편({first}-{last})의 OST {tracks}곡을 추천해요. "
            "모든 드라마의 OST는 공개된 출처로 확인했어요."
        ),
    },
    "about_years": {"en": "Dramas by year: {items}", "ko": "연도별 드라마: {items}"},
    "about_networks": {"en": "Dramas by network: {items}", "ko": "방송사별 드라마: {items}"},
    "about_moods": {"en": "Songs by mood: {items}", "ko": "분위기별 곡: {items}"},
    "about_sources": {
        "en": "Sources: {n} public pages (see data/dramas.csv); started from two fan articles.",
        "ko": "출처: 공개 페이지 {n}곳 (data/dramas.csv 참고).",
    },
    "help_intro": {
        "en": (
            "Ask me for a K-drama OST in your own words:\n"
            '  "recommend a healing OST", "3 sad songs from Goblin", "songs by Baekhyun",\n'
            '  "romantic OSTs from 2016", "something like Stay With Me", "힐링 OST 추천해줘"'
        ),
        "ko": (
            "원하는 OST를 편하게 말해 주세요:\n"
            '  "힐링 OST 추천해줘", "도깨비 슬픈 노래 3곡", "백현 노래",\n'
            '  "2016년 로맨틱 OST", "Stay With Me 같은 노래"'
        ),
    },
    "help_commands": {"en": "Commands:", "ko": "명령어:"},
    "help_line": {"en": "  {usage}: {summary}", "ko": "  {usage}: {summary}"},
    "usage_required": {"en": "{word} {arg}", "ko": "{word} {arg}"},
    "usage_optional": {"en": "{word} [{arg}]", "ko": "{word} [{arg}]"},
    # What a command's argument is called in help ("drama NAME") and when it is missing.
    "usage_text": {"en": "TEXT", "ko": "요청"},
    "usage_mood": {"en": "MOOD", "ko": "분위기"},
    "usage_drama": {"en": "NAME", "ko": "이름"},
    "usage_artist": {"en": "NAME", "ko": "이름"},
    "usage_track": {"en": "SONG", "ko": "곡"},
    "usage_page": {"en": "PAGE", "ko": "쪽"},
    "arg_text": {"en": "request", "ko": "요청"},
    "arg_mood": {"en": "mood", "ko": "분위기"},
    "arg_drama": {"en": "drama", "ko": "드라마"},
    "arg_artist": {"en": "artist", "ko": "가수"},
    "arg_track": {"en": "song", "ko": "곡"},
    "arg_page": {"en": "page", "ko": "쪽"},
    "moods_line": {"en": "• {name} ({name_ko}): {means}", "ko": "• {name_ko} ({name})"},
    "moods_example": {"en": " e.g. {example}", "ko": " 예: {example}"},
    "dramas_line": {
        "en": "• {title} ({title_ko}, {year})",
        "ko": "• {title_ko} ({title}, {year})",
    },
    # How a card shows a track: the Hangul forms beside the catalog's names.
    "card_title": {"en": "{title} ({title_ko})", "ko": "{title} ({title_ko})"},
    "card_artist": {"en": "{artist} ({artist_ko})", "ko": "{artist} ({artist_ko})"},
    "card_drama": {"en": "{drama} · {drama_ko} ({year})", "ko": "{drama} · {drama_ko} ({year})"},
    "card_drama_plain": {"en": "{drama} ({year})", "ko": "{drama} ({year})"},
    "slow_wait": {
        "en": "Slow down a little — try again in {n} s.",
        "ko": "조금만 천천히요 — {n}초 뒤에 다시 해 주세요.",
    },
    # Said by the platform adapters (errors, private replies, card labels).
    "error": {
        "en": "Sorry, something went wrong on my side. Please try again in a moment.",
        "ko": "죄송해요, 문제가 생겼어요. 잠시 뒤에 다시 해 주세요.",
    },
    "undelivered": {
        "en": "Sorry, I could not send you my last answer (the connection failed). Please ask again.",
        "ko": "죄송해요, 연결 문제로 조금 전 답을 보내지 못했어요. 다시 물어봐 주세요.",
    },
    "private_in_channel": {
        "en": "That one is just for you: use /{command} (only you will see it) or ask me in a DM.",
        "ko": "나만 볼 수 있는 정보예요: /{command} 를 쓰거나 DM으로 물어봐 주세요.",
    },
    "private_sent": {
        "en": "I sent that to you in a private chat.",
        "ko": "개인 채팅으로 보냈어요.",
    },
    "private_blocked": {
        "en": "I can't message you privately yet: open a chat with me first.",
        "ko": "아직 개인 메시지를 보낼 수 없어요. 먼저 저와 대화를 시작해 주세요.",
    },
    "open_chat": {"en": "Open a chat", "ko": "대화 시작"},
    "label_artist": {"en": "Artist", "ko": "가수"},
    "label_drama": {"en": "Drama", "ko": "드라마"},
    "label_tags": {"en": "Tags", "ko": "태그"},
    "button_another": {"en": "Another", "ko": "다른 곡"},
    "button_like": {"en": "👍", "ko": "👍"},
    "button_dislike": {"en": "👎", "ko": "👎"},
}


def locale_of(hint: str | None) -> str:
    """A platform's language code ("ko", "ko-KR", "en-US", None) as one of LOCALES."""
    return "ko" if (hint or "").lower().startswith("ko") else "en"


def reply_locale(text: str, hint: str | None) -> str:
    """Reply in the language of the message; fall back to the platform's language."""
    if has_hangul(text):
        return "ko"
    if has_latin(text):
        return "en"
    return locale_of(hint)


def t(key: str, locale: str, **values: object) -> str:
    table = _TEXT[key]
    template = table.get(locale) or table["en"]
    return template.format(**values)


def keys() -> list[str]:
    return list(_TEXT)


def fields(key: str, locale: str) -> set[str]:
    """Placeholders a template uses (tests check both languages agree)."""
    return {f for _, f, _, _ in Formatter().parse(_TEXT[key][locale]) if f}
