"""What LibreOffice sees in a workbook, as JSON: run by the system Python, which has UNO.

    python3 lo_probe.py BOOK.xlsx PROFILE_DIR

Starts a headless LibreOffice of its own (a throw-away profile, a private pipe), opens
the book hidden and, per sheet, prints whether its view has frozen panes and at which
row, whether it has an autofilter, and the type, number format and text of cell B2.
A conversion (`soffice --convert-to`) cannot show this: without a view LibreOffice
writes no view settings, so a frozen header never survives it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(book: str, profile: str) -> None:
    pipe = f"tracker-probe-{os.getpid()}"
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo",
         f"-env:UserInstallation=file://{profile}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if time.monotonic() > deadline or office.poll() is not None:
                    raise
                time.sleep(0.3)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        url = uno.systemPathToFileUrl(os.path.abspath(book))
        doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
        controller = doc.getCurrentController()
        formats = doc.getNumberFormats()
        unnamed = doc.getPropertyValue("UnnamedDatabaseRanges")
        out = []
        for i in range(doc.Sheets.getCount()):
            sheet = doc.Sheets.getByIndex(i)
            controller.setActiveSheet(sheet)
            cell = sheet.getCellByPosition(1, 1)
            autofilter = unnamed.hasByTable(i) and unnamed.getByTable(i).AutoFilter
            out.append({
                "name": sheet.getName(),
                "frozen": controller.hasFrozenPanes(),
                "split_row": controller.getSplitRow(),
                "autofilter": bool(autofilter),
                "b2_type": cell.getType().value,
                "b2_format": formats.getByKey(cell.NumberFormat).FormatString,
                "b2_text": cell.getString(),
                "b2_value": cell.getValue(),
            })  # fmt: skip
        doc.close(True)
        print(json.dumps(out))
        with contextlib.suppress(Exception):  # the bridge goes down with it
            desktop.terminate()
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
