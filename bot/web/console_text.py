"""The console's words in Japanese (the default) and English, one table so both stay in step."""

from __future__ import annotations

LANGUAGES = ("ja", "en")
LANG_COOKIE = "navigator_console_lang"

TEXT: dict[str, tuple[str, str]] = {
    # (Japanese, English)
    "console": ("支援ナビ 管理コンソール", "Support Navigator console"),
    "skip": ("本文へ移動", "Skip to content"),
    "nav": ("管理メニュー", "Console menu"),
    "dashboard": ("ダッシュボード", "Dashboard"),
    "documents": ("文書", "Documents"),
    "versions": ("版と公開", "Versions"),
    "questions": ("答えられなかった質問", "Unanswered questions"),
    "feedback": ("評価", "Feedback"),
    "audit": ("操作記録", "Audit log"),
    "accounts": ("アカウント", "Accounts"),
    "sign_in": ("サインイン", "Sign in"),
    "sign_out": ("サインアウト", "Sign out"),
    "name": ("名前", "Name"),
    "password": ("パスワード", "Password"),
    "signed_in_as": ("サインイン中", "Signed in as"),
    "language": ("English", "日本語"),
    "bad_login": ("名前かパスワードが違います。", "Wrong name or password."),
    "too_many": (
        "失敗が続いたため、しばらくサインインできません。{minutes}分後にお試しください。",
        "Too many failed sign-ins: try again in {minutes} minutes.",
    ),
    "expired_form": (
        "フォームの有効期限が切れました。もう一度入力してください。",
        "The form expired: please sign in again.",
    ),
    # dashboard
    "live_version": ("公開中の版", "Live version"),
    "went_live": ("公開日時", "Went live"),
    "records": ("レコード", "Records"),
    "answers_today": ("今日の回答", "Answers today"),
    "no_match_rate": ("該当なしの割合（今日）", "No-match rate (today)"),
    "thumbs_down": ("👎 の数（今日）", "👎 today"),
    "by_program": ("事業別の回答数（月別）", "Answers by program per month"),
    "program": ("事業", "Program"),
    "csv": ("CSV で書き出す", "Export CSV"),
    "none_yet": ("まだありません。", "Nothing yet."),
    # documents
    "upload": ("文書を追加・差し替え", "Add or replace documents"),
    "drop_here": (
        "ここにファイルをドロップするか、選んでください（txt, md, pdf, docx, html）。同じ名前のファイルは差し替えになり、前の版は保管されます。",
        "Drop files here or choose them (txt, md, pdf, docx, html). A file with the same name replaces the old one, which is kept.",
    ),
    "choose_files": ("ファイルを選ぶ", "Choose files"),
    "file": ("ファイル", "File"),
    "status": ("状態", "Status"),
    "period": ("申請期間", "Application period"),
    "last_error": ("直近のエラー", "Last error"),
    "actions": ("操作", "Actions"),
    "delete": ("削除", "Delete"),
    "restore": ("前の版に戻す", "Restore earlier copy"),
    "confirm_delete": (
        "{name} を削除しますか？（保管され、戻せます）",
        "Delete {name}? (It is kept and can be restored.)",
    ),
    "shipped": ("同梱", "shipped"),
    "uploaded": ("追加", "uploaded"),
    "st_live": ("公開中", "live"),
    "st_pending": ("未反映", "pending"),
    "st_failed": ("失敗", "failed"),
    "ended": ("終了", "ended"),
    "upcoming": ("受付前", "not yet open"),
    "open": ("受付中", "open"),
    "publish": ("公開の準備", "Publish"),
    "publish_help": (
        "文書から候補の版を作ります。公開中の版はそのまま答え続けます。候補で質問を試してから切り替えてください。",
        "Builds a candidate version from the documents; the live version keeps answering. Try questions on the candidate, then switch.",
    ),
    "build_candidate": ("候補の版を作る", "Build a candidate version"),
    "progress": ("進み具合", "Progress"),
    "change_report": ("変更の内容", "Change report"),
    "document": ("文書", "Document"),
    "added": ("追加", "added"),
    "updated": ("更新", "updated"),
    "deleted": ("削除", "deleted"),
    "fields": ("変わった項目", "Fields changed"),
    "try_question": ("候補の版で質問を試す", "Try a question on the candidate"),
    "ask": ("試す", "Ask"),
    "switch": ("この版を公開する", "Switch to this version"),
    "confirm_switch": ("版 {n} を公開しますか？", "Make version {n} live?"),
    "unchanged": ("変更はありません。公開中の版のままです。", "Nothing changed: the live version stays."),
    "refused": ("この版は公開できません", "This version was refused"),
    # versions
    "version": ("版", "Version"),
    "created": ("作成", "Created"),
    "live": ("公開中", "live"),
    "candidate": ("候補", "candidate"),
    "rollback": ("この版に戻す", "Roll back to this version"),
    "confirm_rollback": (
        "版 {n} に戻しますか？今の版は残ります。",
        "Roll back to version {n}? The current one is kept.",
    ),
    # questions
    "unanswered_help": (
        "何にも該当しなかった質問です。似た質問はまとめています。答えるべき事業や文書を選ぶと、同じ質問にすぐ答えるようになります（再取り込みは不要）。",
        "Questions nothing matched, near-duplicates grouped. Pick the program or document passage it should have found: the same question is answered at once (no re-ingest).",
    ),
    "question": ("質問", "Question"),
    "count": ("回数", "Count"),
    "first_seen": ("最初", "First seen"),
    "last_seen": ("最後", "Last seen"),
    "variants": ("言い回し", "Wordings"),
    "assign_to": ("答えるレコード", "Answer with"),
    "search_records": ("事業・文書を検索", "Search programs and documents"),
    "teach": ("教える", "Teach"),
    "out_of_scope": ("対象外にする", "Out of scope"),
    "new_answer": ("新しい回答", "New answer"),
    "taught": ("教えた質問", "Taught questions"),
    "taught_by": ("登録者", "Taught by"),
    "remove": ("外す", "Remove"),
    # feedback
    "rating": ("評価", "Rating"),
    "answer": ("回答", "Answer"),
    "citations": ("引用", "Citations"),
    "channel": ("経路", "Channel"),
    "comment": ("コメント", "Comment"),
    "when": ("日時", "When"),
    "handled": ("対応済み", "Handled"),
    "mark_handled": ("対応済みにする", "Mark handled"),
    "show": ("表示", "Show"),
    "down_only": ("👎 のみ", "👎 only"),
    "up_only": ("👍 のみ", "👍 only"),
    "all": ("すべて", "All"),
    # audit
    "who": ("誰が", "Who"),
    "action": ("操作", "Action"),
    "target": ("対象", "Target"),
    "detail": ("内容", "Detail"),
    # accounts
    "role": ("役割", "Role"),
    "add_account": ("アカウントを追加", "Add an account"),
    "add": ("追加", "Add"),
    "change_password": ("自分のパスワードを変更", "Change my password"),
    "new_password": ("新しいパスワード（10文字以上）", "New password (10 characters or more)"),
    "save": ("保存", "Save"),
    "admins_only": ("アカウントの管理は管理者だけができます。", "Only administrators manage accounts."),
    "done": ("完了しました。", "Done."),
    "failed": ("できませんでした", "Failed"),
}


def words(language: str) -> dict[str, str]:
    """The console's words in one language (unknown languages fall back to Japanese)."""
    column = 1 if language == "en" else 0
    return {key: pair[column] for key, pair in TEXT.items()}
