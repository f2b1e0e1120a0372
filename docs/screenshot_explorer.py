"""Takes the README's screenshot of the latent explorer in headless Chromium (Debian's chromium + chromium-driver).

    python docs/screenshot_explorer.py --export_dir=exports --output=docs/explorer.png

Serves the export in-process, opens the page, moves the first continuous slider to the end of its range (the run's
--traversal_range) and saves the window.
"""

from __future__ import annotations

import shutil
import threading

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_string("export_dir", "exports", "An infogan-export folder.")
flags.DEFINE_string("output", "docs/explorer.png", "Where to write the PNG.")
flags.DEFINE_string("encode", None, "An image file to put through the encode panel first.")


def main(argv):
    del argv
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from infogan_tf.explorer import server, service, sources

    explorer = server.ExplorerServer(service.ExplorerService(sources.from_export(FLAGS.export_dir)), port=0)
    threading.Thread(target=explorer.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--window-size=1500,880", "--proxy-server=direct://",
                     "--proxy-bypass-list=*"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")), options=options)
    try:
        driver.get(explorer.url)
        wait = WebDriverWait(driver, 60)
        wait.until(lambda d: (d.find_element(By.ID, "image").get_attribute("src") or "").startswith("data:"))
        before = driver.find_element(By.ID, "image").get_attribute("src")
        driver.execute_script("const s = document.getElementById('cont-0'); s.value = s.max;"
                              "s.dispatchEvent(new Event('input'));")
        wait.until(lambda d: d.find_element(By.ID, "image").get_attribute("src") != before)
        if FLAGS.encode:
            driver.find_element(By.ID, "upload").send_keys(str(FLAGS.encode))
            wait.until(lambda d: d.find_element(By.ID, "encoded").text != "")
        driver.save_screenshot(FLAGS.output)
    finally:
        driver.quit()
        explorer.shutdown()
    print(f"wrote {FLAGS.output}")


if __name__ == "__main__":
    app.run(main)
