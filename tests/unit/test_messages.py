"""The one message catalogue (issue 15): the errors built from it print exactly the text
they printed before it existed (captured from the previous errors.py, word for word),
and give the officer's screen each language alone."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from liaison.messages import BOTH, CATALOGUE, Explained, say
from liaison.messages.errors import ERRORS
from liaison.messages.ui import UI
from liaison.security.errors import (
    KeyringCorrupt,
    KeyringExists,
    LastOfficer,
    NoKeyring,
    OfficerExists,
    RotationBlocked,
    SecurityError,
    UnknownOfficer,
    WeakPin,
    WrongPin,
)
from liaison.store.errors import RECOVERY, StoreCorrupt, StoreError, StoreIntegrityError, StoreLocked
from liaison.tui.i18n import STRINGS, explain, tr

P = PurePosixPath("/st/keys/officers.json")

# str(error) as the errors printed it before the catalogue (the CLI shows these).
BEFORE = [
    (WrongPin(),
     "警员或 PIN 不正确；连续输错后每次等待时间会加长 (wrong officer or PIN; each further failure waits longer)"),
    (WrongPin(1.5, what="recovery code"),
     "恢复码不正确；连续输错后每次等待时间会加长 (wrong recovery code; each further failure waits longer)"),
    (NoKeyring(P),
     "此站点尚未设置警员 PIN，请先运行：liaison officer setup --officer <姓名> (no officers set up at "
     "/st/keys/officers.json; run `liaison officer setup --officer NAME`)"),
    (KeyringExists(P),
     "此站点已设置过警员 PIN（/st/keys/officers.json），请用 liaison officer add 增加警员 (officers are already "
     "set up at /st/keys/officers.json; use `liaison officer add`)"),
    (KeyringCorrupt(P, "unexpected structure"),
     "警员密钥文件已损坏：/st/keys/officers.json（unexpected structure） (keyring file is damaged: "
     "/st/keys/officers.json: unexpected structure)"),
    (UnknownOfficer("王警官"), "没有名为“王警官”的警员 (no officer named '王警官')"),
    (OfficerExists("王警官"), "警员“王警官”已存在，未作更改 (officer '王警官' already exists; nothing changed)"),
    (LastOfficer("王警官"),
     "“王警官”是最后一名警员，不能删除：否则没有人能解锁数据。请先增加另一名警员 ('王警官' is the last officer "
     "and cannot be removed: nobody could unlock the data; add another officer first)"),
    (RotationBlocked(["甲", "B"], True),
     "无法更换数据密钥，未作更改。请以下警员先各解锁一次：甲、B；并提供恢复码（LIAISON_RECOVERY_CODE） (the data key "
     "cannot be replaced yet; nothing changed: these officers must unlock once first: 甲, B; the recovery code is "
     "needed too (LIAISON_RECOVERY_CODE))"),
    (RotationBlocked(["甲"], False),
     "无法更换数据密钥，未作更改。请以下警员先各解锁一次：甲 (the data key cannot be replaced yet; nothing changed: "
     "these officers must unlock once first: 甲)"),
    (RotationBlocked([], True),
     "无法更换数据密钥，未作更改。并提供恢复码（LIAISON_RECOVERY_CODE） (the data key cannot be replaced yet; nothing "
     "changed: the recovery code is needed too (LIAISON_RECOVERY_CODE))"),
    (StoreLocked(),
     "站点数据已加密，需要警员 PIN 解锁 (the station's records are encrypted; an officer must unlock them with a PIN)"),
]
RECOVERY_BEFORE = (
    "恢复办法：从备份中找回上述文件放回原处后重试；没有备份时，区院保存着已同步的记录；确认无法找回后，由警员运行 "
    "liaison verify --accept-loss 记录这一损失并恢复写入 (to recover: put the files back from a backup and retry; "
    "the district office holds every record already synced; once nothing more can be restored, an officer runs "
    "`liaison verify --accept-loss` to record the loss and allow saving again)")


@pytest.mark.parametrize(("error", "before"), BEFORE, ids=[type(e).__name__ for e, _ in BEFORE])
def test_error_text_is_unchanged_and_splits_into_its_two_languages(error, before):
    assert isinstance(error, Explained)
    assert str(error) == before
    assert error.args == (before,)
    zh, en = error.text("zh"), error.text("en")
    assert str(error) == f"{zh} ({en})"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)  # Chinese alone, and English alone
    assert en.replace("王警官", "").replace("甲", "").isascii()
    assert explain(error, "zh") == zh and explain(error, "en") == en


def test_integrity_error_keeps_its_text_and_its_problems_in_both_languages():
    e = StoreIntegrityError(["shard a missing", "b"])
    assert RECOVERY == RECOVERY_BEFORE
    assert str(e) == ("数据目录与记录清单不符，已停止写入 (the data folder does not match its manifest; saving is "
                      "stopped):\n  - shard a missing\n  - b\n" + RECOVERY_BEFORE)
    zh_recovery, en_recovery = RECOVERY_BEFORE[:-1].split(" (to recover", 1)
    assert e.text("zh") == "数据目录与记录清单不符，已停止写入：\n  - shard a missing\n  - b\n" + zh_recovery
    assert e.text("en") == ("the data folder does not match its manifest; saving is stopped:\n  - shard a missing"
                            "\n  - b\nto recover" + en_recovery)
    assert isinstance(e, StoreCorrupt) and e.problems == ["shard a missing", "b"]


def test_classes_and_attributes_callers_rely_on_are_kept():
    assert isinstance(WrongPin(2.0), SecurityError) and WrongPin(2.0).delay == 2.0
    blocked = RotationBlocked(["甲"], True)
    assert (blocked.officers, blocked.recovery) == (["甲"], True)
    assert isinstance(StoreLocked(), StoreError)
    custom = StoreLocked("another text")  # a caller's own text stands in every language
    assert str(custom) == custom.text("en") == custom.text("zh") == "another text"


def test_errors_outside_the_catalogue_are_shown_as_they_are():
    weak = WeakPin("PIN 太短 (PIN too short)")
    assert explain(weak, "en") == explain(weak, "zh") == "PIN 太短 (PIN too short)"
    assert explain(OSError(28, "No space left on device"), "en") == "[Errno 28] No space left on device"


def test_one_catalogue_for_the_screens_and_the_errors():
    assert not set(UI) & set(ERRORS)
    assert CATALOGUE == {**UI, **ERRORS} and STRINGS is CATALOGUE
    assert all(k.startswith("err_") for k in ERRORS) and not any(k.startswith("err_") for k in UI)
    assert tr("save", "zh") == "保存" and tr("save", "en") == "Save"
    assert tr("saved", "en", ref="FQYF-1") == "Saved FQYF-1"
    assert tr("no-such-key", "en") == "no-such-key" == say("no-such-key", BOTH)
    assert tr("err_store_locked", "en") == say("err_store_locked", "en") == StoreLocked().text("en")
    assert say("saved", BOTH, ref="R") == "已保存 R (Saved R)"
