"""What the officer reads when something is refused: stable key -> (zh, en).

Placeholders are str.format fields; a value given as `Both(zh, en)` is read in the
language being written, so lists joined by "、" in Chinese are joined by ", " in English.
"""

from __future__ import annotations

ERRORS: dict[str, tuple[str, str]] = {
    # security (liaison/security/errors.py)
    "err_wrong_pin": ("警员或 PIN 不正确；连续输错后每次等待时间会加长",
                      "wrong officer or PIN; each further failure waits longer"),
    "err_wrong_recovery_code": ("恢复码不正确；连续输错后每次等待时间会加长",
                                "wrong recovery code; each further failure waits longer"),
    "err_no_keyring": ("此站点尚未设置警员 PIN，请先运行：liaison officer setup --officer <姓名>",
                       "no officers set up at {path}; run `liaison officer setup --officer NAME`"),
    "err_keyring_exists": ("此站点已设置过警员 PIN（{path}），请用 liaison officer add 增加警员",
                           "officers are already set up at {path}; use `liaison officer add`"),
    "err_keyring_corrupt": ("警员密钥文件已损坏：{path}（{why}）", "keyring file is damaged: {path}: {why}"),
    "err_unknown_officer": ("没有名为“{name}”的警员", "no officer named {name!r}"),
    "err_officer_exists": ("警员“{name}”已存在，未作更改", "officer {name!r} already exists; nothing changed"),
    "err_last_officer": ("“{name}”是最后一名警员，不能删除：否则没有人能解锁数据。请先增加另一名警员",
                         "{name!r} is the last officer and cannot be removed: nobody could unlock the data; "
                         "add another officer first"),
    "err_rotation_blocked": ("无法更换数据密钥，未作更改。{why}",
                             "the data key cannot be replaced yet; nothing changed: {why}"),
    "err_rotation_officers": ("请以下警员先各解锁一次：{names}", "these officers must unlock once first: {names}"),
    "err_rotation_recovery": ("并提供恢复码（LIAISON_RECOVERY_CODE）",
                              "the recovery code is needed too (LIAISON_RECOVERY_CODE)"),
    # store (liaison/store/errors.py)
    "err_store_locked": ("站点数据已加密，需要警员 PIN 解锁",
                         "the station's records are encrypted; an officer must unlock them with a PIN"),
    "err_integrity": ("数据目录与记录清单不符，已停止写入",
                      "the data folder does not match its manifest; saving is stopped"),
    "err_recovery": ("恢复办法：从备份中找回上述文件放回原处后重试；没有备份时，区院保存着已同步的记录；"
                     "确认无法找回后，由警员运行 liaison verify --accept-loss 记录这一损失并恢复写入",
                     "to recover: put the files back from a backup and retry; the district office holds every "
                     "record already synced; once nothing more can be restored, an officer runs "
                     "`liaison verify --accept-loss` to record the loss and allow saving again"),
}
