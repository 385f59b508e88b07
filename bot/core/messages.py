"""Every sentence the bot says, in English and Korean.

Word order belongs to the templates: where English and Korean put things in a different order,
each template places its values itself, so the code that fills them never asks which language
it is writing.
"""

from __future__ import annotations

from string import Formatter
from typing import Any

from bot.core.korean import PARTICLES, attach
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
    "intro_for_one": {"en": "Here's {what}:", "ko": "{what} 추천해요:"},
    "intro_for_many": {"en": "Here are {n} {what}:", "ko": "{what} {n}곡 추천해요:"},
    "what_plain_one": {"en": "an OST", "ko": "OST"},
    "what_plain_many": {"en": "OSTs", "ko": "OST"},
    "what_tags_one": {"en": "{article} {tags} OST", "ko": "{tags} OST"},
    "what_tags_many": {"en": "{tags} OSTs", "ko": "{tags} OST"},
    "what_scoped": {"en": "{what} {scope}", "ko": "{scope} {what}"},
    "from_drama": {"en": "from {drama}", "ko": "{drama}의"},
    "by_artist": {"en": "by {artist}", "ko": "{artist}의"},
    "similar_to": {"en": "like {title}", "ko": "{title:'와} 비슷한"},
    "capped": {
        "en": 'You asked for {asked}; I send at most {max} at a time. Say "another" for more.',
        "ko": '{asked}곡을 요청하셨지만 한 번에 최대 {max}곡까지 보내요. 더 들으려면 "다른 거"라고 해 주세요.',
    },
    "truncated": {
        "en": "(That was a long message; I read the first {n} characters.)",
        "ko": "(메시지가 길어서 앞의 {n}자만 읽었어요.)",
    },
    "relaxed_tags": {
        "en": "No {songs} {scope}. Here are {its} {shown} ones instead.",
        "ko": "{scope} {songs}는 없어요. 대신 {shown} 노래를 골랐어요.",
    },
    "relaxed_tags_plain": {
        "en": "No {songs} {scope}, so here are other songs {scope}.",
        "ko": "{scope} {songs}는 없어서 다른 곡을 골랐어요.",
    },
    "relaxed_tags_voice": {
        "en": "No {songs} are {voice}. Here are {voice} {shown} ones instead.",
        "ko": "{voice} {songs}는 없어요. 대신 {voice} {shown} 노래를 골랐어요.",
    },
    # The songs asked for, and whose the others are, in the sentences above.
    "songs_tagged": {"en": "{tags} songs", "ko": "{tags} 노래"},
    "songs_for": {"en": "songs {occasion}", "ko": "{occasion} 노래"},
    "its_drama": {"en": "its", "ko": ""},
    "its_artist": {"en": "their", "ko": ""},
    "its_none": {"en": "some", "ko": ""},
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
    "used_up": {
        "en": "You've just heard every song I have that fits ({n} in all). Ask for another mood, drama or singer.",
        "ko": "조건에 맞는 {n}곡을 방금 모두 들으셨어요. 다른 분위기나 드라마, 가수로 물어봐 주세요.",
    },
    # Let go because every song that met it had been heard (not for want of one).
    "used_theme": {
        "en": "You've heard every main theme {scope} that fits, so here are other well-known songs.",
        "ko": "{scope} 조건에 맞는 메인 테마곡은 다 들으셔서 다른 인기곡을 골랐어요.",
    },
    "used_popular": {
        "en": "You've heard every well-known song {scope} that fits, so here are lesser-known ones.",
        "ko": "{scope} 조건에 맞는 인기곡은 다 들으셔서 덜 알려진 곡을 골랐어요.",
    },
    "used_deep": {
        "en": "You've heard every lesser-known song {scope} that fits, so here are well-known ones.",
        "ko": "{scope} 조건에 맞는 숨은 곡은 다 들으셔서 알려진 곡을 골랐어요.",
    },
    "used_energy": {
        "en": "You've heard every song {scope} that fits at that tempo, so here are some at another.",
        "ko": "{scope} 그 템포로 맞는 곡은 다 들으셔서 템포가 다른 곡도 골랐어요.",
    },
    "used_tags": {
        "en": "You've heard all the {songs} {scope} I have, so here are {its} {shown} ones.",
        "ko": "{scope} {songs}는 다 들으셔서 {shown} 노래를 골랐어요.",
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
        "en": 'Try "sad songs from Goblin", "music to study to" or "songs by Baekhyun".',
        "ko": '"도깨비 슬픈 노래", "공부할 때 듣기 좋은 노래", "백현 노래"처럼 물어봐 주세요.',
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
    # Small talk: a short friendly answer and a hint, never a song.
    "talk_greeting": {
        "en": "Hi! I find K-drama OSTs. Tell me a mood, a drama, an artist or what it's for.",
        "ko": "안녕하세요! 드라마 OST를 찾아 드려요. 분위기, 드라마, 가수나 듣고 싶은 상황을 말해 주세요.",
    },
    "talk_thanks": {
        "en": 'You\'re welcome! Say "one more" any time, or ask for something new.',
        "ko": '천만에요! 더 듣고 싶으면 "하나 더", 새로운 추천도 언제든지요.',
    },
    "talk_bye": {
        "en": "Bye! Come back when you need a soundtrack.",
        "ko": "안녕히 가세요! OST가 필요할 때 또 불러 주세요.",
    },
    "talk_laugh": {
        "en": "😄 Want a song to go with the mood?",
        "ko": "ㅎㅎ 기분에 맞는 노래 하나 골라 드릴까요?",
    },
    "talk_reaction": {
        "en": 'I hear you. Say "one more" for another like it, or "cheer me up" for something lighter.',
        "ko": '그 마음 알아요. 비슷한 곡을 더 들으려면 "하나 더", 기분 전환이 필요하면 "기분 전환"이라고 해 주세요.',
    },
    "talk_praise": {"en": "Thank you! 😊", "ko": "고마워요! 😊"},
    "talk_ok": {
        "en": "Okay! Ask me whenever you want a song.",
        "ko": "네! 노래가 필요하면 언제든 말해 주세요.",
    },
    "talk_sorry": {"en": "No problem!", "ko": "괜찮아요!"},
    "talk_what_is_ost": {
        "en": "An OST (original soundtrack) is the music made for a film or drama: the songs that play in its scenes. K-drama OSTs are often ballads sung by well-known singers.",
        "ko": "OST(오리지널 사운드트랙)는 드라마나 영화를 위해 만든 음악이에요. 장면마다 흐르는 노래들이죠.",
    },
    "talk_about_bot": {
        "en": "I'm ostbot, a bot that recommends Korean drama soundtracks from a catalog checked against public sources.",
        "ko": "저는 공개된 출처로 확인한 카탈로그에서 드라마 OST를 추천하는 봇, ostbot이에요.",
    },
    "talk_how_are_you": {
        "en": "I'm good, thanks! In the mood for a song?",
        "ko": "잘 지내요! 노래 한 곡 들어 볼래요?",
    },
    "talk_chat": {
        "en": "I'm a bot for K-drama OSTs, so songs are what I know best.",
        "ko": "저는 드라마 OST 봇이라 노래 이야기를 제일 잘해요.",
    },
    "talk_hesitation": {
        "en": 'Take your time. Say "another" for more, or tell me a mood, a drama or a singer.',
        "ko": '천천히 생각해 보세요. 더 들으려면 "하나 더", 아니면 분위기나 드라마, 가수를 말해 주세요.',
    },
    "talk_hint": {
        "en": 'For example: "sad songs from Goblin", "music to study to", "who sings Stay With Me".',
        "ko": '예: "도깨비 슬픈 노래", "공부할 때 듣기 좋은 노래", "Stay With Me 누가 불렀어?"',
    },
    # Look-ups.
    "lookup_song": {
        "en": "{title} is sung by {artist}, from {drama} ({year}).",
        "ko": "{title:'은} {artist}의 노래로, {drama}의 OST예요 ({year}).",
    },
    "lookup_others": {
        "en": "Other songs called {title}: {others}.",
        "ko": "같은 제목의 다른 곡: {others}.",
    },
    "lookup_other": {"en": "{artist} ({drama}, {year})", "ko": "{artist} ({drama}, {year})"},
    "lookup_also": {
        "en": "Also fits: {songs}.",
        "ko": "이 곡도 있어요: {songs}.",
    },
    "lookup_also_song": {"en": "{title} — {artist}", "ko": "{title} — {artist}"},
    "lookup_hint": {
        "en": 'Say "more like it" for songs that feel the same, or "like" to save it.',
        "ko": '비슷한 노래는 "비슷한 거", 마음에 들면 "좋아요"라고 해 주세요.',
    },
    "feedback_others": {
        "en": "(I took the one by {artist}; the others called {title} are by {others}.)",
        "ko": "({artist}의 곡으로 기억했어요. 같은 제목의 다른 곡: {others})",
    },
    "other_reading": {
        "en": "(I read {name} as the {kind}; there is also the {other_kind} {other_name}.)",
        "ko": "({name:을} {kind:으로} 이해했어요. {other_kind} {other_name}도 있어요.)",
    },
    "kind_drama": {"en": "drama", "ko": "드라마"},
    "kind_artist": {"en": "singer", "ko": "가수"},
    "button_song": {"en": "{artist}", "ko": "{artist}"},
    "button_also": {"en": "{title}", "ko": "{title}"},
    "button_other": {"en": "The {kind} {name}", "ko": "{kind} {name}"},
    # What a follow-up changed ("Calmer, still from Goblin:"). The Korean phrases each say
    # what the songs were picked as, and the line ends the sentence ("도깨비 노래 중에서 더
    # 신나는 곡으로 골랐어요:"), the scope kept first, as Korean puts it.
    "change_calmer": {"en": "Calmer", "ko": "더 잔잔한 곡으로"},
    "change_livelier": {"en": "Livelier", "ko": "더 신나는 곡으로"},
    "change_older": {"en": "Older", "ko": "더 옛날 곡으로"},
    "change_newer": {"en": "Newer", "ko": "더 최근 곡으로"},
    "change_up": {"en": "More {tag}", "ko": "{tag} 느낌이 더 강한 곡으로"},
    "change_down": {"en": "Less {tag}", "ko": "{tag} 느낌은 덜한 곡으로"},
    "change_same_artist": {"en": "More by {artist}", "ko": "{artist}의 다른 노래로"},
    "change_same_drama": {"en": "More from {drama}", "ko": "{drama}의 다른 노래로"},
    "change_same_vibe": {
        "en": "Same mood, now {scope}",
        "ko": "분위기는 그대로, 이번엔 {scope} 노래로",
    },
    "change_renamed": {"en": "Now {scope}", "ko": "이번엔 {scope} 노래로"},
    # A name said alone that shares no songs with the last one of the other kind replaces it.
    "change_apart": {
        "en": "{artist} has no songs in {drama}, so now {scope}",
        "ko": "{drama}에는 {artist}의 노래가 없어서 이번엔 {scope} 노래로",
    },
    "change_similar": {"en": "Songs like {title}", "ko": "{title:'와} 비슷한 노래로"},
    "change_like_title": {"en": "Songs like {title}", "ko": "{title:'와} 비슷한 노래로"},
    "change_moods": {"en": "Now {tags}", "ko": "이번엔 {tags} 노래로"},
    "change_years": {"en": "Now {years}", "ko": "이번엔 {years} 노래로"},
    "change_excluded": {"en": "Leaving out {what}", "ko": "{what} 쪽은 빼고"},
    "change_reject": {"en": "Skipped that one", "ko": "그 곡은 빼고 다른 곡으로"},
    "change_the_artist": {"en": "The singer {name}", "ko": "가수 {name}의 노래로"},
    "change_the_drama": {"en": "The drama {name}", "ko": "드라마 {name}의 노래로"},
    "change_still": {"en": "still {scope}", "ko": "{scope} 노래 중에서"},
    "change_line": {"en": "{changes}:", "ko": "{changes} 골랐어요:"},
    "change_line_still": {"en": "{changes}, {still}:", "ko": "{still} {changes} 골랐어요:"},
    "nothing_older": {
        "en": "Nothing older {scope} than what you've seen.",
        "ko": "{scope} 더 옛날 곡은 없어요.",
    },
    "nothing_newer": {
        "en": "Nothing newer {scope} than what you've seen.",
        "ko": "{scope} 더 최근 곡은 없어요.",
    },
    "nothing_energy": {
        "en": "Nothing {what} {scope} than what you've seen.",
        "ko": "{scope} 그보다 {what} 곡은 없어요.",
    },
    "what_calmer": {"en": "calmer", "ko": "잔잔한"},
    "what_livelier": {"en": "livelier", "ko": "신나는"},
    "no_title_word": {
        "en": 'No song {scope} I know has "{word}" in its title.',
        "ko": "{scope} 제목에 {word:'이} 들어간 곡은 없어요.",
    },
    "only_song": {
        "en": "That's every song {scope} I know.",
        "ko": "{scope} 노래는 그게 전부예요.",
    },
    "no_year": {
        "en": "I have no songs {years} yet: the catalog starts in {first}, so here are the oldest.",
        "ko": "{years} 노래는 아직 없어요. 카탈로그가 {first}년부터라 가장 오래된 곡을 골랐어요.",
    },
    "no_year_after": {
        "en": "I have no songs {years} yet (the newest are from {last}), so here are the latest.",
        "ko": "{years} 노래는 아직 없어요. 카탈로그가 {last}년까지라 가장 최근 곡으로 골랐어요.",
    },
    "what_for": {"en": "{what} {occasion}", "ko": "{occasion} {what}"},
    "not_from": {"en": "not {what}", "ko": "{what} 말고"},
    "why": {"en": "Why", "ko": "추천 이유"},
    "listen": {"en": "Listen", "ko": "듣기"},
    "part": {"en": "Part {n}", "ko": "Part {n}"},
    "you_liked": {"en": "you liked {artist}", "ko": "{artist:을} 좋아하셨어요"},
    "shares": {"en": "shares {tags} with {title}", "ko": "'{title}'처럼 {tags}"},
    "no_drama": {
        "en": 'I don\'t know a drama called "{name}".',
        "ko": '{name:"이라는} 드라마를 찾지 못했어요.',
    },
    "no_artist": {
        "en": 'I don\'t know an artist called "{name}".',
        "ko": '{name:"이라는} 가수를 찾지 못했어요.',
    },
    "no_track": {
        "en": 'I don\'t know a song called "{name}".',
        "ko": '{name:"이라는} 곡을 찾지 못했어요.',
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
        "en": 'Say "{dramas} {next}" for the next page, or "{drama}" for a soundtrack.',
        "ko": '다음 쪽은 "{dramas} {next}", OST 목록은 "{drama}"이라고 해 주세요.',
    },
    "another_none": {
        "en": 'Ask me for something first, then say "another" for the next pick.',
        "ko": '먼저 추천을 요청한 뒤 "다른 거"라고 해 주세요.',
    },
    "liked": {
        "en": "Noted: you like {title} by {artist}. I'll lean toward songs like it.",
        "ko": "{artist}의 {title:'을} 좋아하신다고 기억할게요.",
    },
    "disliked": {
        "en": "Noted: I won't recommend {title} by {artist} to you again.",
        "ko": "{artist}의 {title:'은} 다시 추천하지 않을게요.",
    },
    "not_saved": {
        "en": "Sorry, I couldn't save that just now. Please try again in a moment.",
        "ko": "죄송해요, 지금은 저장하지 못했어요. 잠시 후 다시 시도해 주세요.",
    },
    "store_unavailable": {
        "en": "Sorry, I can't keep up right now. Please try again in a moment.",
        "ko": "죄송해요, 지금은 요청이 밀려 있어요. 잠시 후 다시 시도해 주세요.",
    },
    "feedback_which": {
        "en": "Which song? I have nothing recent to {verb}. Ask for a recommendation first.",
        "ko": "어떤 곡인가요? 최근 추천한 곡이 없어요. 먼저 추천을 받아 보세요.",
    },
    "feedback_pick": {
        "en": '(That was the first of the last {n} songs; say "{verb} 2" for the second.)',
        "ko": '(마지막 {n}곡 중 첫 곡이에요. 두 번째 곡이면 "{verb} 2"라고 해 주세요.)',
    },
    # A song pointed at by a place the last reply did not have ("2번 좋아요" after one song).
    "beyond_one": {
        "en": 'My last reply had only one song. Say "{verb}" for it, or ask for more songs first.',
        "ko": '방금 추천한 노래는 한 곡뿐이었어요. 그 곡이면 "{verb}"라고 해 주세요.',
    },
    "beyond_many": {
        "en": 'My last reply had only {n} songs. Say "{verb} 1" to "{verb} {n}".',
        "ko": '방금 추천한 노래는 {n}곡뿐이었어요. "{verb} 1"부터 "{verb} {n}"까지 중에서 골라 주세요.',
    },
    "beyond_one_plain": {
        "en": "My last reply had only one song.",
        "ko": "방금 추천한 노래는 한 곡뿐이었어요.",
    },
    "beyond_many_plain": {
        "en": "My last reply had only {n} songs.",
        "ko": "방금 추천한 노래는 {n}곡뿐이었어요.",
    },
    "verb_like": {"en": "like", "ko": "좋아요"},
    "verb_dislike": {"en": "dislike", "ko": "싫어요"},
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
    # Privacy: whoami, mydata, forget me.
    "whoami": {
        "en": "You are {user} to me: that is how OSTBOT_OWNERS names you.",
        "ko": "저에게 당신은 {user:이에요}. OSTBOT_OWNERS에도 이렇게 적어요.",
    },
    "whoami_owner": {
        "en": "You are one of this bot's owners.",
        "ko": "이 봇의 관리자예요.",
    },
    "whoami_not_owner": {
        "en": "You are not an owner: whoever runs the bot can make you one by adding {user} to OSTBOT_OWNERS.",
        "ko": "관리자는 아니에요. 봇을 운영하는 사람이 OSTBOT_OWNERS에 {user:을} 추가하면 관리자가 돼요.",
    },
    "mydata_header": {"en": "What I keep about you ({user}):", "ko": "{user}에 대해 저장한 정보:"},
    "mydata_line": {"en": "• {label}: {n} ({why})", "ko": "• {label}: {n} ({why})"},
    "mydata_other": {"en": "• {table}: {n}", "ko": "• {table}: {n}"},
    "mydata_nothing": {
        "en": "I keep nothing about you ({user}).",
        "ko": "{user}에 대해 저장한 정보가 없어요.",
    },
    "mydata_else": {
        "en": "That is all: no names and no messages, only what I understood from them.",
        "ko": "이게 전부예요. 이름이나 메시지 원문은 저장하지 않고, 이해한 요청만 저장해요.",
    },
    "mydata_delete": {
        "en": 'To delete all of it, say "forget me" (/forget_me).',
        "ko": '모두 지우려면 "내 정보 삭제"라고 해 주세요 (/forget_me).',
    },
    "data_unavailable": {
        "en": "Sorry, I can't read my database right now. Please try again in a moment.",
        "ko": "죄송해요, 지금은 저장된 정보를 읽을 수 없어요. 잠시 후 다시 시도해 주세요.",
    },
    # What is kept, kind by kind: a name and why it is kept.
    "data_heard": {"en": "songs recommended to you", "ko": "추천한 곡"},
    "data_heard_why": {
        "en": "so I don't repeat them before you've heard every match",
        "ko": "조건에 맞는 곡을 다 들을 때까지 반복하지 않으려고",
    },
    "data_history": {"en": "history", "ko": "추천 기록"},
    "data_history_why": {
        "en": "your last {max} recommendations, what history shows",
        "ko": "최근 {max}곡, 기록 명령으로 보는 것",
    },
    "data_likes": {"en": "likes", "ko": "좋아요"},
    "data_likes_why": {"en": "I lean toward songs like them", "ko": "비슷한 곡을 더 추천하려고"},
    "data_dislikes": {"en": "dislikes", "ko": "싫어요"},
    "data_dislikes_why": {"en": "never recommended again", "ko": "다시 추천하지 않으려고"},
    "data_queries": {"en": "saved requests", "ko": "저장된 요청"},
    "data_queries_why": {
        "en": "what the Another buttons ask for again; the last {max}",
        "ko": "다른 곡 버튼이 다시 찾는 조건, 최근 {max}개",
    },
    "data_users": {"en": "last request", "ko": "마지막 요청"},
    "data_users_why": {
        "en": 'so a follow-up like "calmer" works',
        "ko": '"더 잔잔한 거" 같은 후속 요청을 위해',
    },
    "forget_ask": {
        "en": (
            "This deletes everything I keep about you ({user}): your history, likes and"
            " dislikes, the songs I remember so I don't repeat them, and your saved requests."
            " It can't be undone. Press the button within {minutes} minutes to confirm, or"
            ' type "forget me confirm".'
        ),
        "ko": (
            "{user}에 대해 저장한 정보(추천 기록, 좋아요와 싫어요, 반복하지 않으려고 기억한 곡,"
            " 저장된 요청)를 모두 지워요. 되돌릴 수 없어요. {minutes}분 안에 버튼을 누르거나"
            ' "내 정보 삭제 확인"이라고 입력해 주세요.'
        ),
    },
    "forget_done": {
        "en": "Done: I deleted everything I kept about you ({items}). I keep nothing about you now.",
        "ko": "저장한 정보를 모두 지웠어요 ({items}). 이제 남은 정보가 없어요.",
    },
    "forget_done_nothing": {
        "en": "Done: I kept nothing about you, and I keep nothing now.",
        "ko": "지울 정보가 없었어요. 저장된 정보가 없어요.",
    },
    "forget_item": {"en": "{label} {n}", "ko": "{label} {n}"},
    "forget_not_yours": {
        "en": 'That button is for whoever asked to be forgotten. To delete your own data, say "forget me".',
        "ko": '이 버튼은 삭제를 요청한 사람만 쓸 수 있어요. 내 정보를 지우려면 "내 정보 삭제"라고 해 주세요.',
    },
    "forget_expired": {
        "en": 'That confirmation has expired. Say "forget me" again if you still want it.',
        "ko": '확인 시간이 지났어요. 계속하려면 "내 정보 삭제"라고 다시 해 주세요.',
    },
    "forget_failed": {
        "en": "Sorry, I couldn't delete your data just now, so nothing was deleted. Please try again in a moment.",
        "ko": "죄송해요, 지금은 정보를 지우지 못했어요. 아무것도 지워지지 않았어요. 잠시 후 다시 시도해 주세요.",
    },
    "button_forget": {"en": "Delete my data", "ko": "내 정보 삭제"},
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
    "usage_confirm": {"en": "confirm", "ko": "확인"},
    "arg_text": {"en": "request", "ko": "요청"},
    "arg_mood": {"en": "mood", "ko": "분위기"},
    "arg_drama": {"en": "drama", "ko": "드라마"},
    "arg_artist": {"en": "artist", "ko": "가수"},
    "arg_track": {"en": "song", "ko": "곡"},
    "arg_page": {"en": "page", "ko": "쪽"},
    "arg_confirm": {"en": "confirmation", "ko": "확인"},
    "moods_line": {"en": "• {name} ({name_ko}): {means}", "ko": "• {name_ko} ({name})"},
    "moods_example": {"en": " e.g. {example}", "ko": " 예: {example}"},
    "dramas_line": {
        "en": "• {title} ({title_ko}, {year})",
        "ko": "• {title_ko} ({title}, {year})",
    },
    # How a card shows a track: the Hangul forms beside the catalog's names.
    "card_title": {"en": "{title} ({title_ko})", "ko": "{title} ({title_ko})"},
    "card_artist": {"en": "{artist} ({artist_ko})", "ko": "{artist_ko} ({artist})"},
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


class _Particles(Formatter):
    """ "{title:을}" is the title and 을 or 를, whichever fits it; "{title:'을}" quotes it first."""

    def format_field(self, value: Any, format_spec: str) -> str:
        quote = ""
        if format_spec[:1] in ("'", '"'):
            quote, format_spec = format_spec[0], format_spec[1:]
        if format_spec in PARTICLES:
            return attach(str(value), format_spec, quote)
        return str(super().format_field(value, format_spec))


_FORMAT = _Particles()
# Templates that ask for a particle ("{title:을}"): only these need the slower formatter.
_WITH_PARTICLES = frozenset(
    template
    for table in _TEXT.values()
    for template in table.values()
    if any(spec for _, _, spec, _ in Formatter().parse(template) if spec)
)


def t(key: str, locale: str, **values: object) -> str:
    table = _TEXT[key]
    template = table.get(locale) or table["en"]
    if template in _WITH_PARTICLES:
        return _FORMAT.format(template, **values)
    return template.format(**values)  # the quick way, for the many templates without one


def keys() -> list[str]:
    return list(_TEXT)


def fields(key: str, locale: str) -> set[str]:
    """Placeholders a template uses (tests check both languages agree)."""
    return {f for _, f, _, _ in Formatter().parse(_TEXT[key][locale]) if f}
