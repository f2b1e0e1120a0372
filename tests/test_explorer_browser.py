"""The explorer in a real browser: headless Chromium (Debian's chromium + chromium-driver) driven by Selenium.

Skipped, saying why, where Chromium, its driver or Selenium is missing; nothing here downloads a browser.
"""

import shutil
import threading

import pytest

import infogan_tf
from infogan_tf.explorer import server, service, sources

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                       reason="no Chromium here: apt-get install chromium chromium-driver"),
]

from selenium.webdriver.chrome.service import Service  # noqa: E402  (after the skips above)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    run = infogan_tf.train("tiny_test", workdir=str(root / "run"), train_steps=2, codes="cat:3,cont:2")
    infogan_tf.export_servables(run.workdir, root / "exports")
    explorer = server.ExplorerServer(service.ExplorerService(sources.from_export(root / "exports")), port=0)
    threading.Thread(target=explorer.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield explorer.url
    explorer.shutdown()
    explorer.server_close()


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900",
                     "--proxy-server=direct://", "--proxy-bypass-list=*"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def image_source(browser, element_id):
    return browser.find_element(By.ID, element_id).get_attribute("src") or ""


def test_moving_a_slider_changes_the_image(browser, page_url):
    browser.get(page_url)
    wait = WebDriverWait(browser, 60)
    wait.until(lambda b: image_source(b, "image").startswith("data:image/png"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "input[type=range]")) == 2
    assert len(browser.find_element(By.ID, "cat-0").find_elements(By.TAG_NAME, "option")) == 3
    before = image_source(browser, "image")

    slider = browser.find_element(By.ID, "cont-0")
    slider.click()  # focus, then keyboard steps: the way a user moves it without a mouse
    for _ in range(30):
        slider.send_keys("\ue014")  # ARROW_RIGHT
    wait.until(lambda b: image_source(b, "image") != before)
    assert float(browser.find_element(By.ID, "cont-0-value").text) > 0.5
    assert browser.find_element(By.ID, "message").text == ""


def test_a_refused_value_shows_its_message_in_the_page(browser, page_url):
    browser.get(page_url)
    wait = WebDriverWait(browser, 60)
    wait.until(lambda b: image_source(b, "image").startswith("data:image/png"))
    seed = browser.find_element(By.ID, "seed")
    seed.clear()
    seed.send_keys("-5")
    wait.until(lambda b: b.find_element(By.ID, "message").text != "")
    assert browser.find_element(By.ID, "message").text.startswith("seed: expected a whole number from 0")
