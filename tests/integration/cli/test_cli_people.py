"""The people commands through ``ses`` (the runtime's entry point hands them to ses_cli),
against the whole system in-process, over real gRPC.

One host for the module; each test works as one or more demo users, each with their own
config directory (``cli_support.Terminal``).
"""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_support import Outcome, Terminal, store_session
from sdk_support import (
    DEMO_ADMIN_EMAIL,
    DEMO_COMPANY_EMAIL,
    DEMO_MANAGER_EMAIL,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    ThreadedHost,
)
from typer.testing import CliRunner

from ses_cli._batches import AttachBars
from ses_cli._session import StoredSession, signed_in
from ses_cli.app import app
from ses_core.testing.waiting import wait_until
from ses_sdk import AttachProgress, totp_code
from ses_sdk._draft_batches import DraftBatches
from ses_sdk.common import CompanyComplaintsPermission
from ses_sdk.enrollment import NewUser

pytestmark = pytest.mark.integration

MANAGER, COMPANY = "manager", "company"


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory, ses: ThreadedHost) -> Path:
    """The demo Complaint Manager and the Demo Mortgage owner (Contact), signed in once."""
    home = tmp_path_factory.mktemp("homes")
    with pytest.MonkeyPatch.context() as patch:
        for who, email in ((MANAGER, DEMO_MANAGER_EMAIL), (COMPANY, DEMO_COMPANY_EMAIL)):
            patch.setenv("XDG_CONFIG_HOME", str(home / who / "config"))
            store_session(ses, email)
    return home


@pytest.fixture
def terminal(
    homes: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Terminal:
    return Terminal(monkeypatch, capsys, homes)


def _company_id(terminal: Terminal) -> str:
    """Demo Mortgage's SES Company ID, from its owner's stored session."""
    terminal.use(COMPANY)
    company_id = StoredSession.load().user.company_id
    assert company_id
    return company_id


def _create(terminal: Terminal, company_id: str, *extra: str) -> dict[str, object]:
    terminal.use(MANAGER)

    def created() -> dict[str, object] | None:
        outcome = terminal.run(
            "complaints", "create", "--company", company_id, "--given-name", "Jane",
            "--family-name", "Consumer", "--description", "A late fee on a payment made in time.",
            "--product", "Mortgage servicing", "--json", *extra,
        )  # fmt: skip
        if outcome.status == 1 and "not_found" in outcome.err.lower().replace(" ", "_"):
            return None  # the complaints service has not learned of the company yet
        assert outcome.status == 0, outcome.err
        document: dict[str, object] = json.loads(outcome.out)
        return document

    return wait_until(created, timeout=30, message="the company to reach complaints")


def test_login_keeps_a_private_session_that_whoami_uses_and_logout_forgets(
    ses: ThreadedHost, terminal: Terminal
) -> None:
    config = terminal.use("admin")
    typed = (
        f"{DEMO_ADMIN_EMAIL}\n{DEMO_PASSWORD}\n{totp_code(DEMO_TOTP_SECRET, datetime.now(UTC))}\n"
    )
    result = CliRunner().invoke(app, ["--address", ses.address, "login"], input=typed)
    assert result.exit_code == 0, result.output
    assert "Signed in as Alex Admin" in result.output
    assert DEMO_PASSWORD not in result.output  # prompted without echo
    session_file = config / "ses" / "session.json"
    assert stat.S_IMODE(session_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(session_file.parent.stat().st_mode) == 0o700

    whoami = terminal.run("whoami", "--json")
    assert whoami.status == 0, whoami.err
    document = json.loads(whoami.out)
    assert document["user"]["email"] == DEMO_ADMIN_EMAIL
    assert document["user"]["agency_roles"] == ["AGENCY_ROLE_ACCOUNT_ADMINISTRATOR"]
    assert document["operating_status"]["access_level"] in (
        "ACCESS_LEVEL_FULL",
        "ACCESS_LEVEL_LIMITED",
    )
    table = terminal.run("whoami")
    assert "Alex Admin" in table.out
    assert "access now" in table.out

    logged_out = terminal.run("logout")
    assert logged_out.status == 0
    assert "Signed out." in logged_out.out
    assert not session_file.exists()
    after = terminal.run("whoami")
    assert after.status == 2
    assert after.err.strip() == "ses: You are not signed in: run `ses login` first."


def test_complaints_create_list_and_show_print_json(terminal: Terminal) -> None:
    company_id = _company_id(terminal)
    created = _create(terminal, company_id)
    reference = str(created["reference_number"])
    assert created["status"] == "COMPLAINT_STATUS_OPEN"

    listed = terminal.run("complaints", "list", "--all", "--json", "--status", "open")
    assert listed.status == 0, listed.err
    assert reference in [c["reference_number"] for c in json.loads(listed.out)["complaints"]]

    shown = terminal.run("complaints", "show", reference, "--json")
    assert shown.status == 0, shown.err
    document = json.loads(shown.out)
    assert document["complaint"]["complaint_id"] == created["complaint_id"]
    assert document["complaint"]["view"] == "COMPLAINT_VIEW_AGENCY"
    assert "COMPLAINT_ACTION_ADD_INFORMATION_REQUEST" in document["complaint"]["available_actions"]
    assert next(entry["action"] for entry in document["history"]) == "complaint_created"

    table = terminal.run("complaints", "show", reference)
    assert table.status == 0
    assert reference in table.out
    assert "add information request" in table.out


def test_complaints_create_reads_a_yaml_file(terminal: Terminal, tmp_path: Path) -> None:
    company_id = _company_id(terminal)
    spec = tmp_path / "complaint.yaml"
    spec.write_text(
        f"company_id: {company_id}\n"
        "complainant: {given_name: Yara, family_name: Yaml}\n"
        "description: Escrow shortage letter never arrived.\n"
        "products: [Escrow]\n",
        encoding="utf-8",
    )
    created = _create(terminal, company_id, "--from-file", str(spec))
    details = created["details"]
    assert isinstance(details, dict)
    assert details["complainant"]["given_name"] == "Jane"  # the flags win over the file
    assert details["description"] == "A late fee on a payment made in time."
    assert details["products"] == ["Mortgage servicing"]


def test_a_refusal_is_one_line_with_the_reason_and_request_id_and_exit_1(
    terminal: Terminal,
) -> None:
    terminal.use(MANAGER)
    refused = terminal.run("complaints", "show", "DEMO-1999-999999")
    assert refused.status == 1
    (line,) = refused.err.strip().splitlines()
    assert line.startswith("ses: ")
    assert "reason " in line
    assert "request " in line
    assert "Traceback" not in refused.err

    debugged = terminal.run("--debug", "complaints", "show", "DEMO-1999-999999")
    assert debugged.status == 1
    assert "Traceback" in debugged.err


def test_usage_mistakes_exit_2(terminal: Terminal) -> None:
    terminal.use(MANAGER)
    unknown = terminal.run("complaints", "list", "--no-such-option")
    assert unknown.status == 2
    assert "No such option" in unknown.err
    bad_choice = terminal.run("complaints", "list", "--status", "lost")
    assert bad_choice.status == 2
    terminal.use("nobody")
    assert terminal.run("complaints", "list").status == 2


def _ir_sent_and_poc_assigned(terminal: Terminal) -> str:
    """A complaint against Demo Mortgage with an IR sent; its owner (the Contact) is POC."""
    reference = str(_create(terminal, _company_id(terminal))["reference_number"])
    terminal.use(MANAGER)
    due = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    added = terminal.run("ir", "add", reference, "--text", "Send the history.", "--due", due)
    assert added.status == 0, added.err
    assert terminal.run("ir", "send", reference).status == 0
    terminal.use(COMPANY)

    def assigned() -> bool:
        outcome = terminal.run("poc", "assign", reference, DEMO_COMPANY_EMAIL)
        return outcome.status == 0

    wait_until(assigned, timeout=30, message="the complaint to reach the company")
    return reference


def _thirty_files(folder: Path) -> Path:
    folder.mkdir()
    for number in range(30):
        (folder / f"exhibit-{number:02d}.txt").write_text(f"exhibit {number}\n" * 200)
    return folder


def test_respond_uploads_30_files_in_two_batches_with_progress_and_submits(
    terminal: Terminal, tmp_path: Path
) -> None:
    reference = _ir_sent_and_poc_assigned(terminal)
    files = _thirty_files(tmp_path / "exhibits")
    text = tmp_path / "response.txt"
    text.write_text("The fee was reversed; the exhibits are attached.", encoding="utf-8")
    attached: list[int] = []
    real = AttachBars.update

    def counting(self: AttachBars, progress: AttachProgress) -> None:
        if progress.file is None:  # a batch saved onto the draft
            attached.append(len(progress.saved))
        real(self, progress)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AttachBars, "update", counting)
        outcome = terminal.run(
            "respond", reference, "--text-file", str(text), "--file", f"{files}/*.txt",
            "--link", "https://share.example/big.zip", "--restricted", "--submit",
        )  # fmt: skip
    assert outcome.status == 0, outcome.err
    assert attached == [25, 5]
    assert "all files (30/30)" in outcome.out  # the overall bar ran to completion
    assert "response submitted (30 file(s))" in outcome.out
    shown = json.loads(terminal.run("complaints", "show", reference, "--json").out)
    (ir,) = shown["complaint"]["information_requests"]
    (response,) = ir["submitted_responses"]
    assert len(response["attachments"]) == 30
    assert response["restricted"] is True
    assert response["file_sharing_links"] == ["https://share.example/big.zip"]


def test_respond_refuses_text_over_4000_characters_before_uploading(
    terminal: Terminal, tmp_path: Path
) -> None:
    terminal.use(COMPANY)
    long_text = tmp_path / "long.txt"
    long_text.write_text("x" * 4001, encoding="utf-8")
    refused = terminal.run("respond", "DEMO-1999-999999", "--text-file", str(long_text))
    # The complaint is looked up first: a missing one is the server's refusal ...
    assert refused.status == 1
    reference = _ir_sent_and_poc_assigned(terminal)
    too_long = terminal.run("respond", reference, "--text-file", str(long_text))
    # ... and a text over the limit is refused here, before anything is sent.
    assert too_long.status == 2
    assert "4,001 characters; the limit is 4,000" in too_long.err


class Interrupted(RuntimeError):
    """Stands for the process being killed mid-upload."""


def test_an_interrupted_upload_is_resumed_and_skips_what_was_attached(
    terminal: Terminal, tmp_path: Path
) -> None:
    reference = _ir_sent_and_poc_assigned(terminal)
    files = _thirty_files(tmp_path / "exhibits")
    link = "https://share.example/all.zip"
    command = ("respond", reference, "--file", f"{files}/*.txt", "--link", link)
    real = AttachBars.update

    def dies_in_the_second_batch(self: AttachBars, progress: AttachProgress) -> None:
        real(self, progress)
        if progress.file is not None and progress.files_attached == 25:  # batch 1 is saved
            raise Interrupted("killed mid-way through the second batch")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AttachBars, "update", dies_in_the_second_batch)
        with pytest.raises(Interrupted):
            terminal.run(*command)
    draft = _draft(terminal, reference)
    assert len(draft["attachments"]) == 25

    resumed_reports: list[AttachProgress] = []

    def watched(self: AttachBars, progress: AttachProgress) -> None:
        resumed_reports.append(progress)
        real(self, progress)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AttachBars, "update", watched)
        resumed = terminal.run(*command)
    assert resumed.status == 0, resumed.err
    assert "Resumed: 1 of 2 batches were attached by an earlier run." in resumed.out
    first_batch = {path.name for path in sorted(files.iterdir())[:25]}
    sent_again = {p.file.file_name for p in resumed_reports if p.file is not None}
    assert sent_again  # the second batch goes on ...
    assert not sent_again & first_batch  # ... and the first is not uploaded again
    saved_again = [file.name for p in resumed_reports for file in p.saved]
    assert sorted(saved_again) == sorted(p.name for p in files.iterdir())[25:]
    draft = _draft(terminal, reference)
    names = sorted(a["file_name"] for a in draft["attachments"])
    assert names == sorted(p.name for p in files.iterdir())  # each file once
    assert draft["file_sharing_links"] == [link]  # the link too
    # Every journal (the draft's and the batch upload's) is gone.
    assert not list((Path(terminal.home) / COMPANY / "cache" / "ses" / "uploads").iterdir())


def test_a_batch_saved_but_not_yet_journaled_is_not_attached_twice(
    terminal: Terminal, tmp_path: Path
) -> None:
    """The window the CLI's own batching had: killed after the server saved a batch and
    before the journal said so. The SDK journals the uploaded batch before saving it, so
    the next run saves the same files again, and the draft keeps each file once."""
    reference = _ir_sent_and_poc_assigned(terminal)
    files = _thirty_files(tmp_path / "exhibits")
    command = ("respond", reference, "--file", f"{files}/*.txt")

    def killed_before_journaling(self: DraftBatches, count: int) -> None:
        raise Interrupted("killed between the save and its journal entry")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DraftBatches, "saved", killed_before_journaling)
        with pytest.raises(Interrupted):
            terminal.run(*command)
    assert len(_draft(terminal, reference)["attachments"]) == 25  # saved by the server

    sent_again: list[str] = []
    real = AttachBars.update

    def watched(self: AttachBars, progress: AttachProgress) -> None:
        if progress.file is not None:
            sent_again.append(progress.file.file_name)
        real(self, progress)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AttachBars, "update", watched)
        resumed = terminal.run(*command)
    assert resumed.status == 0, resumed.err
    assert set(sent_again) == {p.name for p in sorted(files.iterdir())[25:]}
    names = sorted(a["file_name"] for a in _draft(terminal, reference)["attachments"])
    assert names == sorted(p.name for p in files.iterdir())  # each file once


def _draft(terminal: Terminal, reference: str) -> dict[str, Any]:
    shown = json.loads(terminal.run("complaints", "show", reference, "--json").out)
    (ir,) = shown["complaint"]["information_requests"]
    draft: dict[str, Any] = ir["draft"]
    return draft


def test_an_ir_is_worked_to_closure_and_the_company_downloads_and_reads_its_inbox(
    terminal: Terminal, tmp_path: Path
) -> None:
    reference = _ir_sent_and_poc_assigned(terminal)
    later = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    terminal.use(MANAGER)
    extended = terminal.run("ir", "extend", reference, "--due", later, "--reason", "more time")
    assert extended.status == 0, extended.err
    assert f"IR 1 now due {later}" in extended.out
    assert terminal.run("ir", "remind", reference, "--message", "Please answer.").status == 0

    terminal.use(COMPANY)
    exhibit = tmp_path / "payment history.csv"
    exhibit.write_text("date,amount\n2026-03-01,1250.00\n", encoding="utf-8")
    answer = tmp_path / "answer.txt"
    answer.write_text("Reversed on 3 March.", encoding="utf-8")
    submitted = terminal.run(
        "respond", reference, "--text-file", str(answer), "--file", str(exhibit), "--submit"
    )
    assert submitted.status == 0, submitted.err
    downloads = tmp_path / "downloads"
    fetched = terminal.run("files", "download", reference, "--to", str(downloads), "--json")
    assert fetched.status == 0, fetched.err
    (only,) = json.loads(fetched.out)["files"]
    assert Path(only["path"]).read_bytes() == exhibit.read_bytes()

    terminal.use(MANAGER)
    back = terminal.run("ir", "send-back", reference, "--reason", "Add the policy.", "--due", later)
    assert back.status == 0, back.err
    assert "IR 1 sent back" in back.out
    terminal.use(COMPANY)
    answer.write_text("Reversed on 3 March; the policy is linked.", encoding="utf-8")
    again = terminal.run(
        "respond", reference, "--text-file", str(answer), "--link",
        "https://share.example/policy.pdf", "--submit",
    )  # fmt: skip
    assert again.status == 0, again.err
    terminal.use(MANAGER)
    completed = terminal.run("ir", "complete", reference)
    assert completed.status == 0, completed.err
    assert "IR 1 completed" in completed.out
    closed = terminal.run(
        "complaints", "close", reference, "--reason", "closed_with_explanation",
        "--comments", "Thank you.",
    )  # fmt: skip
    assert closed.status == 0, closed.err
    assert f"{reference} closed (closed)." in closed.out

    terminal.use(COMPANY)

    def notified() -> list[dict[str, str]]:
        outcome = terminal.run("inbox", "--unread", "--json")
        assert outcome.status == 0, outcome.err
        notes: list[dict[str, str]] = json.loads(outcome.out)["notifications"]
        return notes

    assert wait_until(notified, timeout=30, message="the company's notifications")
    assert terminal.run("inbox", "read", "--all").status == 0
    assert notified() == []
    whoami = json.loads(terminal.run("whoami", "--json").out)
    assert whoami["designations"] == ["ses complaints contact"]
    hours = json.loads(terminal.run("hours", "--json").out)
    assert hours["operating_status"]["access_level"].startswith("ACCESS_LEVEL_")


def test_a_complaint_is_canceled_with_a_reason(terminal: Terminal) -> None:
    reference = str(_create(terminal, _company_id(terminal))["reference_number"])
    canceled = terminal.run("complaints", "cancel", reference, "--reason", "Filed twice.")
    assert canceled.status == 0, canceled.err
    assert f"{reference} canceled (canceled)." in canceled.out


def test_a_refreshed_session_is_saved_for_the_next_command(terminal: Terminal) -> None:
    terminal.use(MANAGER)
    stored = StoredSession.load()
    before = stored.tokens
    expires = before.access_token_expires_at
    assert expires is not None
    # A clock past the access token's expiry: the SDK's session refreshes before the call.
    with signed_in(stored, clock=lambda: expires + timedelta(seconds=1)) as client:
        client.complaints.list_complaints(page_size=1)
        assert client.session is not None
        used = client.session.tokens
    saved = StoredSession.load().tokens
    assert saved.refresh_token != before.refresh_token  # a refresh token works once
    assert saved == used  # what the client now holds is what the next command finds
    assert terminal.run("complaints", "list", "--json").status == 0


def test_the_poc_adds_a_contributor_named_by_email(terminal: Terminal) -> None:
    reference = _ir_sent_and_poc_assigned(terminal)
    terminal.use(COMPANY)
    helper = "cora.cli@demo-mortgage.example"
    with signed_in(StoredSession.load()) as owner:
        owner.enrollment.create_company_user(
            company_id=_company_id(terminal),
            user=NewUser(email=helper, given_name="Cora", family_name="Contributor"),
            complaints_permission=CompanyComplaintsPermission.MANAGE,
        )

    def added() -> Outcome | None:
        outcome = terminal.run("contributors", "add", reference, helper)
        return outcome if outcome.status == 0 else None  # until complaints knows of Cora

    outcome = wait_until(added, timeout=30, message="the new user to reach complaints")
    assert f"{reference}: contributors Cora Contributor." in outcome.out
