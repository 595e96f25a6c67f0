"""A client process for the interruption tests: uploads one file with the SDK.

    python files_upload_client.py TARGET TOKEN_FILE PATH JOURNAL [PAUSE_SECONDS]

Prints ``progress <file bytes sent>`` after every chunk (pausing PAUSE_SECONDS so the
test can interrupt it mid-stream), then ``done <file id> <sha256>``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ses_sdk import FilesClient, RetryPolicy, UploadProgress


def main(target: str, token_file: str, path: str, journal: str, pause: str = "0") -> int:
    token = Path(token_file).read_text().strip()

    def report(progress: UploadProgress) -> None:
        print(f"progress {progress.file_bytes_sent}", flush=True)
        time.sleep(float(pause))

    # Retries a second apart for about two minutes, as long as the test waits for it: on a
    # loaded two-core machine the restarted server can take half a minute to serve again.
    retry = RetryPolicy(max_attempts=120, initial_backoff=0.2, max_backoff=1.0)
    with FilesClient.connect(target, token, retry=retry, insecure=True) as client:
        (uploaded,) = client.upload_files(
            [path], chunk_size=256 * 1024, progress=report, journal=journal
        )
    print(f"done {uploaded.file_id} {uploaded.sha256_hex}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
