"""Build the reference Lambda's zip: the handler and core/ only (boto3 comes with the runtime).

python packaging/build_lambda_zip.py [OUT.zip]      (default: dist/rolecall-lambda.zip)
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The desktop-only and demo-only modules stay out: the Lambda needs neither.
LEFT_OUT = {"cli.py", "arguments.py", "listing.py", "demo.py", "demo_seed.py", "console.py"}
HANDLER = "core.lambda_handler.lambda_handler"


def build(out: Path) -> list[str]:
    out.parent.mkdir(parents=True, exist_ok=True)
    names = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((ROOT / "core").glob("*.py")):
            if path.name in LEFT_OUT:
                continue
            name = f"core/{path.name}"
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
            names.append(name)
    return names


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist" / "rolecall-lambda.zip"
    names = build(out)
    print(f"{out}: {len(names)} files, {out.stat().st_size} bytes; handler {HANDLER}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
