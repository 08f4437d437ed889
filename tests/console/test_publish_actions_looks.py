"""How <jobpub-publish-actions> is served and how it looks: a JavaScript module any page may load
(content type, caching, CORS), each size and variant visibly different, themed through custom
properties; the key given as a property, never read from an attribute nor written to the console."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.console.component_pages import open_plain_page
from tests.support import publish, settled_status

MODULES = ("jobpub-publish-actions.js", "component-api.js", "posting-states.js", "action-button.js")
MODULES += ("publish-actions-styles.js", "example.js")
ACCENT = "rgb(10, 102, 194)"
TRANSPARENT = "rgba(0, 0, 0, 0)"


def test_the_component_is_a_javascript_module_any_page_may_load_and_revalidate(client):
    for name in MODULES:
        answer = client.get(f"/components/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith("text/javascript"), name
        # Always revalidated (a page never mixes an old module with a new one), cheaply: 304 by ETag
        assert answer.headers["cache-control"] == "no-cache"
        assert answer.headers["access-control-allow-origin"] == "*"  # a module from another origin needs CORS
        again = client.get(f"/components/{name}", headers={"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304, name
    example = client.get("/components/example.html")
    assert example.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in example.headers["content-security-policy"]
    assert not any(path.startswith("/components") for path in client.get("/openapi.json").json()["paths"])


def a_job_on_naukri(client, tenant, title: str) -> int:
    job_id = publish(client, tenant, platforms=["naukri"], title=title)
    settled_status(client, tenant, job_id)
    return job_id


def test_each_size_makes_the_buttons_bigger_and_each_variant_paints_them_differently(page, console_url, client, tenant):
    # Given a plain page with the component in each size, each variant, and one themed by the page
    job_id = a_job_on_naukri(client, tenant, "Component looks job")
    looks = [("sm", "solid"), ("md", "outline"), ("lg", "ghost")]
    elements = "".join(
        f'<jobpub-publish-actions id="{size}" job-id="{job_id}" size="{size}" variant="{variant}">'
        "</jobpub-publish-actions>"
        for size, variant in looks
    )
    themed = f'<jobpub-publish-actions id="themed" job-id="{job_id}" style="--jobpub-accent: rgb(120, 20, 90)">'
    open_plain_page(page, tenant.api_key, elements + themed + "</jobpub-publish-actions>")

    def publish_button(element_id: str):
        button = page.locator(f"#{element_id}").get_by_role("button", name="Publish to LinkedIn")
        expect(button).to_be_visible()
        return button

    def style(element_id: str, prop: str) -> str:
        return publish_button(element_id).evaluate(f"(button) => getComputedStyle(button).{prop}")

    # Then each size is taller, and its words bigger, than the one before
    heights = [publish_button(size).bounding_box()["height"] for size, _ in looks]
    assert heights[0] < heights[1] < heights[2], heights
    fonts = [float(style(size, "fontSize").removesuffix("px")) for size, _ in looks]
    assert fonts[0] < fonts[1] < fonts[2], fonts

    # And solid is filled with the accent, outline has only the accent's border, ghost neither
    assert (style("sm", "backgroundColor"), style("sm", "color")) == (ACCENT, "rgb(255, 255, 255)")
    assert (style("md", "backgroundColor"), style("md", "borderTopColor"), style("md", "color")) == (
        TRANSPARENT,
        ACCENT,
        ACCENT,
    )
    assert (style("lg", "backgroundColor"), style("lg", "borderTopColor"), style("lg", "color")) == (
        TRANSPARENT,
        TRANSPARENT,
        ACCENT,
    )
    # And the page's --jobpub-accent reaches into the shadow root
    assert style("themed", "backgroundColor") == "rgb(120, 20, 90)"


def test_a_key_in_an_api_key_attribute_is_not_used_and_the_api_key_property_is(page, console_url, client, tenant):
    # Given a plain page whose only key is an api-key attribute (which would put it in the page's HTML)
    job_id = a_job_on_naukri(client, tenant, "Component key job")
    said: list[str] = []
    page.on("console", lambda message: said.append(message.text))
    element = f'<jobpub-publish-actions job-id="{job_id}" api-key="{tenant.api_key}"></jobpub-publish-actions>'
    open_plain_page(page, "", element)
    actions = page.locator("jobpub-publish-actions")

    # Then the API refuses the component (no key was sent), it says so, and warns without the key
    expect(actions.get_by_role("status")).to_contain_text("The API key was not accepted")
    expect(actions.get_by_role("button")).to_have_count(0)
    assert any("api-key attribute is ignored" in text for text in said)

    # When the page gives the key as the element's property instead
    actions.evaluate("(element, key) => { element.apiKey = key; }", tenant.api_key)

    # Then its buttons show the job's state, and the key was never written to the browser's console
    expect(actions.get_by_role("button", name="Published on Naukri ✓")).to_be_visible()
    expect(actions.get_by_role("button", name="Publish to LinkedIn")).to_be_enabled()
    expect(actions.get_by_role("status")).to_have_text("")  # the refusal is over
    assert actions.evaluate("(element) => element.apiKey") is None  # write-only: no script reads it back
    assert not any(tenant.api_key in text for text in said)
