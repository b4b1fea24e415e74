from PySide6.QtCore import QPoint

from gui.browser import BrowserAsk
from gui.import_preview import ImportPreview
from tests.gui.test_browser import make_demo_window, browse_orders, run_statement
from tests.helpers.windows import open_table


def test_shot(qtbot, demo_server, monkeypatch, pool, settings, tmp_path):
    out = "/work/notes/shots/"
    from gui import theme
    from PySide6.QtWidgets import QApplication
    theme.apply(QApplication.instance(), "light")
    window = make_demo_window(qtbot, demo_server, monkeypatch, pool, settings, demo=True)
    browser = browse_orders(qtbot, window, "demo-admin")
    browser.show()
    browser.query.mode.setCurrentText("Query")
    browser.query.pk_value.setText("C0042")
    browser.run()
    qtbot.waitUntil(lambda: not browser.model.loading, timeout=20000)
    run_statement(qtbot, browser, 'SELECT * FROM "Orders" WHERE "customer_id" = ?', ("S", "C0007"))
    qtbot.waitUntil(lambda: not browser.model.loading, timeout=20000)
    browser.operations.save(browser._entry(), "Orders of customer 7")
    qtbot.wait(300)
    browser.grab().save(out + "demo-partiql-history.png")
    b = browser.history_button
    browser.history.popup(b.mapToGlobal(QPoint(0, b.height())))
    qtbot.wait(300)
    browser.history.grab().save(out + "history-menu.png")
    browser.history.hide()
    # import into MyTable
    browser.tables.list.setCurrentItem(browser.tables.list.findItems("MyTable", __import__("PySide6.QtCore").QtCore.Qt.MatchFlag.MatchExactly)[0])
    qtbot.waitUntil(lambda: browser.table and browser.table.name == "MyTable", timeout=20000)
    info = browser.table
    keys = [k.name for k in (info.partition_key, info.sort_key) if k]
    print("KEYS", keys, info.partition_key.type)
    path = tmp_path / "sample.csv"
    rows = [f"{keys[0]},price (N),in_stock (BOOL),note"] + [f"imported-{i:03},{i}.99,{'true' if i % 2 else 'false'},row {i}" for i in range(1, 41)]
    rows.insert(5, "imported-xx,cheap,true,bad")
    path.write_text("\n".join(rows) + "\n")
    browser.read_only.setChecked(False)

    def preview(cls, parent, found, table):
        dialog = ImportPreview(found, table, parent)
        dialog.show()
        qtbot.wait(200)
        dialog.grab().save(out + "import-preview.png")
        return True

    monkeypatch.setattr(BrowserAsk, "import_preview", classmethod(preview))
    with qtbot.waitSignal(browser.imported, timeout=60000):
        browser.import_file(str(path))
    browser.reads.setCurrentWidget(browser.query)
    browser.query.mode.setCurrentText("Scan")
    browser.run()
    qtbot.waitUntil(lambda: not browser.model.loading, timeout=20000)
    qtbot.wait(300)
    browser.grab().save(out + "mytable-after-import.png")
    print("MSG", browser.message.text(), "|", browser.status.text())
