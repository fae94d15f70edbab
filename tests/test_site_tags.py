"""postfeed.sites.tags: the template tags of Hexo, Jekyll (Liquid) and Hugo, expanded in a
post body before it is rendered, so that no `{% ... %}` or `{{< ... >}}` reaches a feed.

Each behaviour is specified on a small body of its own, and where the point is how the
output reads once rendered, through a CommonMark renderer as the content pipeline runs it.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import pytest

from postfeed import markdown
from postfeed.sites.tags import (
    MAX_DEPTH,
    MAX_INCLUDED,
    MAX_WARNINGS,
    TagContext,
    expand,
    expand_held,
    hexo_code_blocks,
    put_back,
)

SITE = "https://blog.example.org/notes/"
POST = "https://blog.example.org/notes/2024/03/05/spring-walk/"
OTHER_POSTS = {
    "autumn-leaves": ("https://blog.example.org/notes/2023/10/01/autumn-leaves/", "Autumn leaves"),
    "2023-10-01-autumn-leaves": (
        "https://blog.example.org/notes/2023/10/01/autumn-leaves/",
        "Autumn leaves",
    ),
    "_posts/2023-10-01-autumn-leaves.md": (
        "https://blog.example.org/notes/2023/10/01/autumn-leaves/",
        "Autumn leaves",
    ),
    "posts/autumn-leaves.md": (
        "https://blog.example.org/notes/2023/10/01/autumn-leaves/",
        "Autumn leaves",
    ),
}


def run(
    text: str,
    syntax: str,
    variables: Mapping[str, str] | None = None,
    post_url: str = POST,
) -> tuple[str, list[str]]:
    """The body expanded, and the warnings given, as `field: message`."""
    warnings: list[str] = []
    context = TagContext(
        post_url=post_url,
        site_url=SITE,
        resolve=OTHER_POSTS.get,
        variables=variables or {},
    )
    out = expand(textwrap.dedent(text), syntax, context, lambda f, m: warnings.append(f"{f}: {m}"))
    return out, warnings


def expanded(text: str, syntax: str, **options: object) -> str:
    """The body expanded. A Hexo tag's markup that starts the body comes after an empty
    HTML comment (see test_a_hexo_tag_that_starts_a_line_is_a_block_of_its_own): left out
    here, where the markup is the point."""
    out = run(text, syntax, **options)[0]  # type: ignore[arg-type]
    return out.removeprefix("<!---->") if syntax == "hexo" else out


def render(body: str) -> str:
    """The expanded body rendered as the content pipeline renders Markdown."""
    return markdown.render(body, "markdown")


# --- all syntaxes --------------------------------------------------------------------------


@pytest.mark.parametrize("syntax", ["hexo", "liquid", "hugo"])
def test_a_body_without_tags_is_returned_as_it_is(syntax: str) -> None:
    body = "A walk in **spring**.\n\n```\ncode {x}\n```\n"
    assert run(body, syntax) == (body, [])


def test_an_unknown_syntax_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown tag syntax"):
        expand("{% x %}", "jinja", TagContext(POST, SITE), lambda f, m: None)


@pytest.mark.parametrize(
    ("syntax", "body"),
    [
        ("hexo", "Price {% of 5 and {% more"),
        ("liquid", "A {{ never closed and {% also"),
        ("hugo", "A {{< figure src=x.png and {{% note"),
    ],
)
def test_tags_that_never_end_are_left_as_text(syntax: str, body: str) -> None:
    assert run(body, syntax) == (body, [])


@pytest.mark.parametrize(
    ("syntax", "body", "closing"),
    [
        ("hexo", "Text {% endnote %} more", "{% endnote %}"),
        ("liquid", "Text {% endif %} more", "{% endif %}"),
        ("hugo", "Text {{< /note >}} more", "{{< /note >}}"),
    ],
)
def test_a_closing_tag_that_closes_nothing_is_dropped_with_a_warning(
    syntax: str, body: str, closing: str
) -> None:
    assert run(body, syntax) == ("Text  more", [f"content: {closing} closes nothing: dropped"])


def test_a_block_left_open_inside_another_loses_its_tag_and_keeps_its_text() -> None:
    out, warnings = run("{% note %}a {% tip %}b{% endnote %} c {% endtip %}", "hexo")
    assert out == "a b c "
    assert "content: {% tip %} is never closed: the tag is dropped, its text kept" in warnings


def test_blocks_nested_too_deep_are_kept_as_text() -> None:
    body = "{% note %}" * (MAX_DEPTH + 2) + "x" + "{% endnote %}" * (MAX_DEPTH + 2)
    out, warnings = run(body, "hexo")
    assert out.count("{% note %}") == 2
    assert "x" in out
    assert f"content: tags nested over {MAX_DEPTH} deep: kept as text" in warnings


def test_tags_inside_a_block_are_expanded_first() -> None:
    out = expanded("{% note %}\nSee {% img /walk.png %} here.\n{% endnote %}", "hexo")
    assert '<img src="https://blog.example.org/notes/walk.png">' in out


def test_each_unknown_tag_name_is_reported_once_per_post() -> None:
    body = "{% note %}a{% endnote %} {% note %}b{% endnote %} {% label x %} {% label y %}"
    out, warnings = run(body, "hexo")
    assert out == "a b  "
    assert warnings == [
        "content: unknown Hexo tag {% note %}: kept its inner text",
        "content: unknown Hexo tag {% label %}: dropped",
    ]


def test_a_post_full_of_made_up_tags_gets_a_bounded_number_of_warnings() -> None:
    body = " ".join(f"{{% made_up_{n} %}}" for n in range(500))
    out, warnings = run(body, "hexo")
    assert out.strip() == ""
    assert len(warnings) == MAX_WARNINGS + 1
    assert warnings[-1].endswith("the rest not shown")


def test_values_written_into_markup_are_escaped() -> None:
    out = expanded("""{% img /a.png 'a "quoted" <b>title</b>' %}""", "hexo")
    assert out == (
        '<img src="https://blog.example.org/notes/a.png" '
        'title="a &quot;quoted&quot; &lt;b&gt;title&lt;/b&gt;">'
    )
    out = expanded("""{{< figure src=`x" onerror="alert(1)` >}}""", "hugo")
    assert 'src="x&quot; onerror=&quot;alert(1)"' in out


def test_a_javascript_url_is_left_to_the_sanitizer_but_escaped() -> None:
    out = expanded("""{% link click 'javascript:alert("x")' %}""", "hexo")
    assert out == '<a href="javascript:alert(&quot;x&quot;)">click</a>'


# --- block output and Markdown -------------------------------------------------------------


def test_code_output_is_an_html_block_even_with_blank_lines_in_the_code() -> None:
    body = """\
        Before
        {% codeblock lang:python %}
        if a < b:

            print("*not emphasis*")
        {% endcodeblock %}
        After
        """
    html = render(expanded(body, "hexo"))
    assert html == (
        "<p>Before</p>\n"
        '<pre><code class="language-python">if a &lt; b:\n\n'
        '    print("*not emphasis*")</code></pre>\n'
        "<p>After</p>\n"
    )


def test_a_code_caption_keeps_its_code_block_whole() -> None:
    body = "{% codeblock Walk route https://maps.example.org/r Map %}\nstart\n\nend\n{% endcode"
    body += "block %}"
    html = render(expanded(body, "hexo"))
    assert html.count("<p>") == 0
    assert (
        '<figure class="highlight"><figcaption><span>Walk route</span>'
        '<a href="https://maps.example.org/r">Map</a></figcaption>'
        "<pre><code>start&#10;&#10;end</code></pre></figure>"
    ) in html


def test_a_blockquote_body_is_still_rendered_as_markdown() -> None:
    body = "{% blockquote %}\nA *quoted* line.\n{% endblockquote %}"
    assert render(expanded(body, "hexo")) == (
        "<blockquote>\n<p>A <em>quoted</em> line.</p>\n</blockquote>\n"
    )


# --- Hexo ----------------------------------------------------------------------------------


def test_hexo_img_takes_classes_size_title_and_alt() -> None:
    body = (
        """{% img left framed https://cdn.example.org/a.png 640 480 '"Path in May" "A path"' %}"""
    )
    assert expanded(body, "hexo") == (
        '<img src="https://cdn.example.org/a.png" class="left framed" width="640" height="480" '
        'title="Path in May" alt="A path">'
    )


def test_hexo_img_paths_are_below_the_site_root() -> None:
    assert expanded("{% img /2024/03/a.png A title %}", "hexo") == (
        '<img src="https://blog.example.org/notes/2024/03/a.png" title="A title">'
    )


def test_hexo_img_without_a_url_is_dropped_with_a_warning() -> None:
    # Hexo reads a word with neither a scheme nor a leading "/" as a class name.
    assert run("{% img images/a.png %}", "hexo") == (
        "",
        ["content: {% img %} without an image URL: dropped"],
    )


def test_hexo_image_is_img() -> None:
    assert expanded("{% image /a.png %}", "hexo") == expanded("{% img /a.png %}", "hexo")


def test_hexo_link_has_text_url_and_title() -> None:
    assert expanded("{% link Spring walks https://walks.example.org true Walk club %}", "hexo") == (
        '<a href="https://walks.example.org" title="Walk club">Spring walks</a>'
    )


def test_hexo_blockquote_footer_with_author_and_source() -> None:
    out = expanded("{% blockquote Ann Lee, Field Notes %}\nQuiet.\n{% endblockquote %}", "hexo")
    assert "<footer><strong>Ann Lee</strong><cite>Field Notes</cite></footer></blockquote>" in out


def test_hexo_blockquote_footer_with_a_source_link_and_its_title() -> None:
    body = (
        "{% blockquote Ann https://walks.example.org/log/ The Log %}\nQuiet.\n{% endblockquote %}"
    )
    assert (
        '<footer><strong>Ann</strong><cite><a href="https://walks.example.org/log/">The Log</a>'
        "</cite></footer>"
    ) in expanded(body, "hexo")


def test_hexo_blockquote_source_link_without_a_title_shows_the_address() -> None:
    body = "{% quote Ann https://walks.example.org/log/index.html %}\nQuiet.\n{% endquote %}"
    assert '<a href="https://walks.example.org/log/index.html">walks.example.org/log</a>' in (
        expanded(body, "hexo")
    )


def test_hexo_code_is_dedented_and_escaped() -> None:
    body = "{% code lang:html %}\n    <p>hi</p>\n      <br>\n{% endcode %}"
    out = expanded(body, "hexo")
    assert (
        '<pre><code class="language-html">&lt;p&gt;hi&lt;/p&gt;\n  &lt;br&gt;</code></pre>' in out
    )


def test_hexo_code_with_highlight_false_is_plain_code() -> None:
    body = "{% codeblock A caption highlight:false %}\nx\n{% endcodeblock %}"
    assert expanded(body, "hexo").strip() == "<pre><code>x</code></pre>"


def test_hexo_raw_keeps_its_text_verbatim() -> None:
    body = "{% raw %}{% img /a.png %} and {{ title }}{% endraw %}"
    assert run(body, "hexo", variables={"title": "T"}) == (
        "{% img /a.png %} and {{ title }}",
        [],
    )


def test_hexo_raw_never_closed_is_dropped_with_a_warning() -> None:
    assert run("{% raw %}x", "hexo") == ("x", ["content: {% raw %} is never closed: dropped"])


@pytest.mark.parametrize(
    ("tag", "url"),
    [
        ("{% iframe https://player.example.org/v/1 640 360 %}", "https://player.example.org/v/1"),
        ("{% youtube dQw4w9WgXcQ %}", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("{% youtube PL123 playlist %}", "https://www.youtube.com/playlist?list=PL123"),
        ("{% vimeo 76979871 %}", "https://vimeo.com/76979871"),
        ("{% jsfiddle ann/x1y2 result %}", "https://jsfiddle.net/ann/x1y2/"),
        ("{% gist 4e5f6a walk.py %}", "https://gist.github.com/4e5f6a"),
    ],
)
def test_hexo_players_become_links(tag: str, url: str) -> None:
    assert expanded(tag, "hexo") == f'<a href="{url}">{url}</a>'


def test_hexo_post_link_links_to_the_post_by_its_title() -> None:
    assert expanded("{% post_link autumn-leaves %}", "hexo") == (
        '<a href="https://blog.example.org/notes/2023/10/01/autumn-leaves/" '
        'title="Autumn leaves">Autumn leaves</a>'
    )


def test_hexo_post_link_with_its_own_text_and_an_anchor() -> None:
    assert expanded("{% post_link autumn-leaves#maps the maps false %}", "hexo") == (
        '<a href="https://blog.example.org/notes/2023/10/01/autumn-leaves/#maps" '
        'title="Autumn leaves">the maps</a>'
    )


def test_hexo_post_link_to_an_unknown_post_keeps_its_name_and_warns() -> None:
    assert run("See {% post_link no-such-walk %}.", "hexo") == (
        "See no-such-walk.",
        ["content: {% post_link no-such-walk %}: no such post; its name kept as text"],
    )


def test_hexo_post_path_is_the_url() -> None:
    assert expanded("[old]({% post_path autumn-leaves %})", "hexo") == (
        "[old](https://blog.example.org/notes/2023/10/01/autumn-leaves/)"
    )


def test_hexo_assets_are_beside_the_post() -> None:
    body = (
        "{% asset_img map.png Route %} {% asset_link notes.pdf The notes %} {% asset_path a.gpx %}"
    )
    assert expanded(body, "hexo") == (
        f'<img src="{POST}map.png" title="Route"> '
        f'<a href="{POST}notes.pdf" title="The notes">The notes</a> '
        f"{POST}a.gpx"
    )


def test_hexo_assets_of_a_post_whose_link_is_a_file() -> None:
    out = expanded("{% asset_image map.png %}", "hexo", post_url=f"{SITE}2024/walk.html")
    assert out == f'<img src="{SITE}2024/walk/map.png">'


def test_hexo_pullquote_is_a_classed_blockquote() -> None:
    out = expanded("{% pullquote left %}\nStay *on* the path.\n{% endpullquote %}", "hexo")
    assert render(out) == (
        '<blockquote class="pullquote left">\n<p>Stay <em>on</em> the path.</p>\n</blockquote>\n'
    )


def test_hexo_theme_block_tag_keeps_its_inner_text_as_a_block() -> None:
    out, warnings = run("Intro\n{% note info %}\n  Bring **water**.\n{% endnote %}", "hexo")
    assert render(out) == "<p>Intro</p>\n<p>Bring <strong>water</strong>.</p>\n"
    assert warnings == ["content: unknown Hexo tag {% note %}: kept its inner text"]


def test_hexo_include_code_is_dropped_with_a_warning() -> None:
    assert run("{% include_code walk.py %}", "hexo") == (
        "",
        ["content: {% include_code %} cannot include files here: dropped"],
    )


@pytest.mark.parametrize("fence", ["```", "~~~", "````"])
def test_hexo_leaves_tags_in_fenced_code_alone(fence: str) -> None:
    body = f"{fence}js\nconst t = `{{{{ title }}}}`; // {{% img /a.png %}}\n{fence}\n"
    assert run(body, "hexo") == (body, [])


def test_hexo_leaves_tags_in_fenced_code_inside_quotes_and_lists_alone() -> None:
    body = "> ```\n> {% img /a.png %}\n> ```\n\n- ~~~\n  {{ x }}\n  ~~~\n"
    assert run(body, "hexo") == (body, [])


def test_hexo_expands_tags_after_a_fence_that_never_closes() -> None:
    assert expanded("```\n{% img /a.png %}\n", "hexo") == (
        '```\n<!----><img src="https://blog.example.org/notes/a.png">\n'
    )


def test_hexo_leaves_tags_in_inline_code_alone() -> None:
    body = "Use `{{ title }}` or `` {% img x %} `` in templates."
    assert run(body, "hexo") == (body, [])


def test_hexo_inline_code_does_not_run_over_a_blank_line() -> None:
    out = expanded("A stray ` here.\n\n{% img /a.png %}", "hexo")
    assert out == 'A stray ` here.\n\n<!----><img src="https://blog.example.org/notes/a.png">'


def test_hexo_leaves_tags_in_comments_and_code_elements_alone() -> None:
    body = "<!-- {% img /a.png %} --> <code class=x>{{ title }}</code>"
    assert run(body, "hexo") == (body, [])


def test_hexo_variables_come_from_the_post() -> None:
    variables = {"title": "Spring walk", "page.author": "Ann"}
    out, warnings = run("{{ title }} by {{ author }}{{ missing }}.", "hexo", variables=variables)
    assert out == "<!---->Spring walk by Ann."
    assert warnings == ["content: unknown Hexo variable {{ missing }}: left empty"]


def test_hexo_comments_are_dropped() -> None:
    assert run("a{# a note to self #}b", "hexo") == ("ab", [])


def test_hexo_text_that_is_not_a_variable_is_kept() -> None:
    out, warnings = run("style={{fontSize: 15}} and {{ a }", "hexo")
    assert out == "style={{fontSize: 15}} and {{ a }"
    assert warnings == ["content: {{fontSize: 15}} is not a variable: kept as text"]


# --- Hexo's code blocks, and the line a tag starts -----------------------------------------


def test_hexo_fences_become_one_line_of_code_markup_as_hexo_highlights_them() -> None:
    body = (
        "Before\n```py Script https://x.example.org/s.py the source\nif a < b:\n    {x}\n```\n"
        "After\n"
    )
    assert hexo_code_blocks(body) == (
        "Before\n"
        '<!----><figure class="highlight"><figcaption><span>Script</span>'
        '<a href="https://x.example.org/s.py">the source</a></figcaption>'
        '<pre><code class="language-py">if a &lt; b:&#10;    &#123;x&#125;</code></pre></figure>'
        "\nAfter\n"
    )
    # the line after the block is Markdown again, as after Hexo's placeholder comment
    assert render(hexo_code_blocks(body)).endswith("<p>After</p>\n")


def test_hexo_fences_take_what_hexo_s_filter_takes() -> None:
    # a fence whose line goes on after a second fence is one (CommonMark: inline code)
    assert "<figcaption><span>is it</span></figcaption>" in hexo_code_blocks(
        "```a.yml``` is it\nx: 1\n```\n"
    )
    # quote markers are taken off the code's lines; options are not part of the caption
    quoted = hexo_code_blocks("> ```js line_number:false\n> let a;\n> ```\n")
    assert quoted == (
        '> <!----><figure class="highlight">'
        '<pre><code class="language-js">let a;</code></pre></figure>\n'
    )
    # left to the renderer: `highlight:false`, a block in an HTML comment, an unclosed fence
    for body in ("```js highlight:false\nx\n```\n", "<!--\n```\nx\n```\n-->\n", "```\nx\n"):
        assert hexo_code_blocks(body) == body


def test_hexo_fence_indented_as_code_stays_in_its_list_item() -> None:
    body = "1. Install:\n\n    ```\n    pip install x\n    ```\n"
    assert render(hexo_code_blocks(body)).count("<li>") == 1
    assert "<pre><code>    pip install x</code></pre>" in render(hexo_code_blocks(body))


def test_a_hexo_tag_that_starts_a_line_is_a_block_of_its_own() -> None:
    # Hexo renders Markdown with an HTML comment in each tag's place: at the start of a
    # line that is an HTML block, which ends the paragraph above and keeps its line as is.
    out = run("Intro\n{% img /a.png %} *as is*\nText {% img /b.png %} *here*\n", "hexo")[0]
    assert render(out) == (
        "<p>Intro</p>\n"
        '<!----><img src="https://blog.example.org/notes/a.png"> *as is*\n'
        '<p>Text <img src="https://blog.example.org/notes/b.png"> <em>here</em></p>\n'
    )
    # also after list and quote markers, and for variables
    assert run("- {{ t }}\n> {% img /a.png %}", "hexo", variables={"t": "T"})[0] == (
        '- <!---->T\n> <!----><img src="https://blog.example.org/notes/a.png">'
    )


def test_hexo_asset_tags_take_the_first_word_naming_an_asset_of_the_post() -> None:
    assets = {"walk.png", "maps/route.png"}
    context = TagContext(POST, SITE, asset_exists=assets.__contains__)
    warnings: list[str] = []

    def expand_(text: str) -> str:
        return expand(text, "hexo", context, lambda f, m: warnings.append(m))

    assert expand_("{% asset_img big walk.png A walk %}") == (
        f'<!----><img src="{POST}walk.png" class="big" title="A walk">'
    )
    assert expand_("{% asset_path maps/route.png %}") == f"<!---->{POST}maps/route.png"
    assert expand_("{% asset_img gone.png %}{% asset_link ../../secret.txt %}") == ""
    assert warnings == [
        "{% asset_img gone.png %}: no such file in the post's asset folder: dropped",
        "{% asset_link ../../secret.txt %}: no such file in the post's asset folder: dropped",
    ]


def test_hexo_spoiler_and_math_plugin_tags() -> None:
    out = expanded("{% spoiler Why <not>? %}\nBecause *so*.\n{% endspoiler %}", "hexo")
    assert render("Q.\n" + out) == (
        "<p>Q.</p>\n<details><summary>Why &lt;not&gt;?</summary>\n"
        "<p>Because <em>so</em>.</p>\n</details>\n"
    )
    assert expanded("{% math %}\na < b\n{% endmath %}", "hexo").strip() == (
        '<div class="math">a &lt; b</div>'
    )
    assert expanded("{% math inline %}x{% endmath %}", "hexo") == '<span class="math">x</span>'


# --- Liquid (Jekyll) -----------------------------------------------------------------------


def test_liquid_highlight_is_escaped_code_in_its_language() -> None:
    body = "{% highlight Ruby linenos %}\n\nputs 1 < 2\n\n{% endhighlight %}"
    assert run(body, "liquid") == (
        '\n\n<pre><code class="language-ruby">puts 1 &lt; 2</code></pre>\n\n',
        [],
    )


def test_liquid_highlight_expands_variables_but_not_raw() -> None:
    body = "{% highlight html %}\n<h1>{{ page.title }}</h1>{% raw %}{{ x }}{% endraw %}\n"
    body += "{% endhighlight %}"
    out = expanded(body, "liquid", variables={"page.title": "Walk"})
    assert "&lt;h1&gt;Walk&lt;/h1&gt;{{ x }}</code></pre>" in out


def test_liquid_raw_keeps_its_text_verbatim() -> None:
    body = "{%- raw -%}{% link a.md %} {{ site.url }}{%- endraw -%}"
    assert run(body, "liquid") == ("{% link a.md %} {{ site.url }}", [])


def test_liquid_link_and_post_url_are_the_post_urls() -> None:
    body = "[a]({% link _posts/2023-10-01-autumn-leaves.md %}) "
    body += "[b]({% post_url 2023-10-01-autumn-leaves %})"
    url = "https://blog.example.org/notes/2023/10/01/autumn-leaves/"
    assert run(body, "liquid") == (f"[a]({url}) [b]({url})", [])


def test_liquid_link_arguments_may_hold_variables() -> None:
    body = "{% link _posts/{{ page.ref }}.md %}"
    out = expanded(body, "liquid", variables={"page.ref": "2023-10-01-autumn-leaves"})
    assert out == "https://blog.example.org/notes/2023/10/01/autumn-leaves/"


def test_liquid_link_to_an_unknown_file_keeps_its_path_and_warns() -> None:
    assert run("{% post_url 2020-01-01-gone %}", "liquid") == (
        "2020-01-01-gone",
        ["content: {% post_url 2020-01-01-gone %}: no such post; kept as text"],
    )


def test_liquid_include_of_a_site_file_that_prints_variables_is_rendered() -> None:
    includes = {"note.html": '<p class="note">{{ include.text }} ({{ page.title | escape }})</p>'}
    context = TagContext(POST, SITE, variables={"page.title": "A & B"}, include=includes.get)
    out = expand('{% include note.html text="Moved here" %}', "liquid", context, print)
    assert out == '<p class="note">Moved here (A &amp; B)</p>'


def test_liquid_include_with_control_flow_or_none_such_is_dropped_with_a_warning() -> None:
    includes = {"video": "{% if include.id %}<iframe></iframe>{% endif %}"}
    warnings: list[str] = []
    context = TagContext(POST, SITE, include=includes.get)
    out = expand(
        "{% include video id=1 %}{% include nothing %}",
        "liquid",
        context,
        lambda f, m: warnings.append(m),
    )
    assert out == ""
    assert warnings == [
        "{% include video %} cannot be rendered here: dropped",
        "{% include nothing %} cannot be rendered here: dropped",
    ]


def test_liquid_includes_write_a_bounded_amount_per_post() -> None:
    big = "x" * 100_000
    context = TagContext(POST, SITE, include={"big": big}.get)
    out = expand("{% include big %}" * 50, "liquid", context, lambda f, m: None)
    assert MAX_INCLUDED <= len(out) <= MAX_INCLUDED + len(big)


def test_liquid_include_is_dropped_with_a_warning_naming_it() -> None:
    assert run('{% include figure.html src="a.png" %}', "liquid") == (
        "",
        ["content: {% include figure.html %} cannot be rendered here: dropped"],
    )


def test_liquid_comments_are_dropped() -> None:
    body = "a{% comment %} {% include x.html %} {{ y }} {% endcomment %}b{% # inline %}c"
    assert run(body, "liquid") == ("abc", [])


def test_liquid_capture_is_dropped() -> None:
    out, warnings = run("{% capture note %}hidden{% endcapture %}shown", "liquid")
    assert out == "shown"
    assert warnings == ["content: {% capture %} keeps its text for later: dropped"]


def test_liquid_site_and_page_variables() -> None:
    variables = {"site.title": "Field Notes", "page.title": "Spring <walk>"}
    assert run("{{ site.title }}: {{page.title}}", "liquid", variables=variables) == (
        "Field Notes: Spring <walk>",
        [],
    )


def test_liquid_unknown_variable_is_empty_with_one_warning() -> None:
    out, warnings = run("[{{ page.nope }}][{{ page.nope }}]", "liquid")
    assert out == "[][]"
    assert warnings == ["content: unknown Liquid variable {{ page.nope }}: left empty"]


def test_liquid_url_filters_follow_jekyll() -> None:
    variables = {"site.url": "https://blog.example.org", "site.baseurl": "/notes"}
    body = (
        "{{ '/img/a.png' | relative_url }} {{ 'img/a.png' | absolute_url }} "
        "{{ 'https://cdn.example.org/x' | absolute_url }}"
    )
    assert expanded(body, "liquid", variables=variables) == (
        "/notes/img/a.png https://blog.example.org/notes/img/a.png https://cdn.example.org/x"
    )


def test_liquid_url_filters_fall_back_on_the_site_url() -> None:
    assert expanded('{{ "a.png" | absolute_url }}', "liquid") == f"{SITE}a.png"


def test_liquid_absolute_url_joins_as_jekyll_does() -> None:
    # jekyll-feed's sites with `url: https://host/` get "//" in every absolute URL.
    variables = {"site.url": "https://blog.example.org/", "site.baseurl": ""}
    assert expanded("{{ '/a/' | absolute_url }}", "liquid", variables=variables) == (
        "https://blog.example.org//a/"
    )


def test_liquid_text_filters() -> None:
    variables = {
        "page.title": "Rock & <b>roll</b>",
        "page.excerpt": "<p>Hi <script>x()</script>there<!-- c --></p>",
        "page.date": "2024-03-05 08:30:00 +0800",
    }
    body = (
        "{{ page.title | escape }}|{{ page.title | xml_escape }}|{{ page.excerpt | strip_html }}|"
        "{{ page.date | date_to_xmlschema }}"
    )
    assert run(body, "liquid", variables=variables) == (
        "Rock &amp; &lt;b&gt;roll&lt;/b&gt;|Rock &amp; &lt;b&gt;roll&lt;/b&gt;|Hi there|"
        "2024-03-05T08:30:00+08:00",
        [],
    )


def test_liquid_other_filters_keep_the_value_with_one_warning_each() -> None:
    out, warnings = run(
        "{{ page.t | upcase }} {{ page.t | upcase }} {{ page.t | truncate: 3 }}",
        "liquid",
        variables={"page.t": "walk"},
    )
    assert out == "walk walk walk"
    assert warnings == [
        "content: filter upcase is not supported: the value is kept as is",
        "content: filter truncate is not supported: the value is kept as is",
    ]


def test_liquid_control_flow_keeps_its_text() -> None:
    out, warnings = run("{% if page.x %}A{% else %}B{% endif %}", "liquid")
    assert out == "AB"
    assert warnings == [
        "content: unknown Liquid tag {% else %}: dropped",
        "content: unknown Liquid tag {% if %}: kept its inner text",
    ]


def test_liquid_expands_tags_inside_code_as_jekyll_does() -> None:
    # Liquid runs over the whole file before kramdown: fences and inline code included.
    body = "```\n{{ site.title }}\n```\n`{{ site.title }}`"
    assert expanded(body, "liquid", variables={"site.title": "Notes"}) == (
        "```\nNotes\n```\n`Notes`"
    )


# --- Hugo ----------------------------------------------------------------------------------


def test_hugo_figure_with_link_title_caption_and_size() -> None:
    body = (
        '{{< figure src="path.jpg" link="https://walks.example.org/" alt="A path" '
        'title="The path" caption="Taken in *May*" width="640" height="480" >}}'
    )
    assert render(expanded(body, "hugo")) == (
        '<figure><a href="https://walks.example.org/"><img src="path.jpg" alt="A path" '
        'width="640" height="480"></a><figcaption><h4>The path</h4>\n'
        "<p>Taken in <em>May</em></p>\n"
        "</figcaption></figure>\n"
    )


def test_hugo_figure_caption_holds_no_markup() -> None:
    out = expanded('{{< figure src="a.jpg" caption="<img src=x onerror=alert(1)>" >}}', "hugo")
    assert "<img src=x" not in render(out)
    assert "&lt;img src=x onerror=alert(1)&gt;" in render(out)


def test_hugo_figure_alone_is_one_html_block() -> None:
    assert render(expanded("Text {{< figure src=/a.jpg >}} more", "hugo")) == (
        '<p>Text</p>\n<figure><img src="/a.jpg"></figure>\n<p>more</p>\n'
    )


def test_hugo_figure_without_a_source_is_dropped_with_a_warning() -> None:
    assert run('{{< figure caption="Lost" >}}', "hugo") == (
        "",
        ["content: {{< figure >}} without a src: dropped"],
    )


def test_hugo_highlight_is_escaped_code() -> None:
    body = '{{< highlight go "linenos=table,hl_lines=2" >}}\n  if a < b {\n  }\n{{< /highlight >}}'
    assert expanded(body, "hugo").strip() == (
        '<pre><code class="language-go">if a &lt; b {\n}</code></pre>'
    )


def test_hugo_ref_and_relref_are_the_page_urls() -> None:
    body = '[a]({{< ref "posts/autumn-leaves.md" >}}) '
    body += '[b]({{< relref path="posts/autumn-leaves.md#map" >}})'
    url = "https://blog.example.org/notes/2023/10/01/autumn-leaves/"
    assert run(body, "hugo") == (f"[a]({url}) [b]({url}#map)", [])


def test_hugo_ref_to_an_unknown_page_keeps_the_path_and_warns() -> None:
    assert run('{{< ref "gone.md" >}}', "hugo") == (
        "gone.md",
        ["content: {{< ref gone.md >}}: no such page; kept as text"],
    )


@pytest.mark.parametrize(
    ("shortcode", "url"),
    [
        ("{{< youtube w7Ft2ymGmfc >}}", "https://www.youtube.com/watch?v=w7Ft2ymGmfc"),
        (
            '{{< youtube id="w7Ft2ymGmfc" autoplay="true" >}}',
            "https://www.youtube.com/watch?v=w7Ft2ymGmfc",
        ),
        ("{{< vimeo 146022717 >}}", "https://vimeo.com/146022717"),
        ("{{< gist ann 7896402 walk.py >}}", "https://gist.github.com/ann/7896402"),
        (
            '{{< x user="ann" id="1453110110599868418" >}}',
            "https://x.com/ann/status/1453110110599868418",
        ),
        ('{{< tweet user="ann" id="145" >}}', "https://twitter.com/ann/status/145"),
        ("{{< instagram CxOWiQNP2MO >}}", "https://www.instagram.com/p/CxOWiQNP2MO/"),
    ],
)
def test_hugo_players_and_posts_become_links(shortcode: str, url: str) -> None:
    assert expanded(shortcode, "hugo") == f'<a href="{url}">{url}</a>'


def test_hugo_player_with_a_title_links_with_it() -> None:
    assert expanded('{{< youtube id="abc" title="The walk" >}}', "hugo") == (
        '<a href="https://www.youtube.com/watch?v=abc">The walk</a>'
    )


def test_hugo_param_comes_from_the_params() -> None:
    variables = {"params.author": "Ann & Lee"}
    out, warnings = run(
        'By {{< param author >}}{{< param "missing" >}}.', "hugo", variables=variables
    )
    assert out == "By Ann &amp; Lee."
    assert warnings == ["content: {{< param missing >}}: no such parameter: left empty"]


def test_hugo_comment_form_shows_the_shortcode_as_text() -> None:
    body = 'Write {{</* figure src="a.jpg" */>}} or {{%/* note */%}}.'
    assert run(body, "hugo") == ('Write {{< figure src="a.jpg" >}} or {{% note %}}.', [])


def test_hugo_unknown_paired_shortcodes_keep_their_inner_text() -> None:
    body = "{{% tldr %}}\n**Short**: walk more.\n{{% /tldr %}}\n{{< note >}}Rest.{{< /note >}}"
    out, warnings = run(body, "hugo")
    assert render(out) == "<p><strong>Short</strong>: walk more.</p>\n<p>Rest.</p>\n"
    assert warnings == [
        "content: unknown Hugo shortcode {{< tldr >}}: kept its inner text",
        "content: unknown Hugo shortcode {{< note >}}: kept its inner text",
    ]


def test_hugo_unknown_single_shortcodes_are_dropped() -> None:
    assert run('A{{< github repo="ann/walks" >}}B{{< toc />}}C', "hugo") == (
        "ABC",
        [
            "content: unknown Hugo shortcode {{< github >}}: dropped",
            "content: unknown Hugo shortcode {{< toc >}}: dropped",
        ],
    )


def test_hugo_details_and_comment() -> None:
    body = '{{< details summary="More" >}}\nThe *rest*.\n{{< /details >}}'
    body += "{{% comment %}}hidden{{% /comment %}}"
    assert render(expanded(body, "hugo")) == (
        "<details><summary>More</summary>\n<p>The <em>rest</em>.</p>\n</details>\n"
    )


def test_hugo_expands_shortcodes_inside_code_as_hugo_does() -> None:
    body = "```\n{{< param author >}}\n```"
    assert expanded(body, "hugo", variables={"params.author": "Ann"}) == "```\nAnn\n```"


# --- hostile bodies ------------------------------------------------------------------------


def test_hugo_site_template_renders_a_simple_shortcode() -> None:
    templates = {
        "tldr": (
            "<blockquote>\n  <b>TL;DR:</b>\n  <br />{{- .Inner | markdownify -}}\n</blockquote>"
        ),
        "note": (
            '{{ $.Scratch.Set "author" (.Get "author") }}\n\n<div class="note">\n'
            "<!-- {{ .Inner }} -->\n"
            '  <span>@{{ $.Scratch.Get "author" }}:</span>\n'
            "  {{- .Inner | markdownify -}}\n</div>"
        ),
        "badge": '<span class="badge">{{ .Get 0 }}</span>',
    }
    context = TagContext(POST, SITE, shortcodes=templates)
    body = (
        "{{< tldr >}}\n- one\n- *two*\n{{< /tldr >}}\n\n"
        '{{< note author="gpt" >}}Hi <there>{{< /note >}}\n\n'
        'Look: {{< badge "new & shiny" >}}'
    )
    assert render(expand(body, "hugo", context, print)) == (
        "<blockquote>\n  <b>TL;DR:</b>\n  <br />\n"
        "<ul>\n<li>one</li>\n<li><em>two</em></li>\n</ul>\n</blockquote>\n"
        '<div class="note">\n  <span>@gpt:</span>\n'
        "<p>Hi <there></p>\n</div>\n"
        '<p>Look: <span class="badge">new &amp; shiny</span></p>\n'
    )


def test_hugo_site_template_keeps_an_indented_inner_text_as_code() -> None:
    templates = {"tldr": "<blockquote>{{ .Inner | markdownify }}</blockquote>"}
    out = expand(
        "{{< tldr >}}\n    - not a list\n{{< /tldr >}}",
        "hugo",
        TagContext(POST, SITE, shortcodes=templates),
        print,
    )
    assert "<pre><code>- not a list\n</code></pre>" in render(out)


def test_hugo_site_template_beyond_the_simple_kind_keeps_the_inner_text() -> None:
    templates = {"aside": '{{ if .Get "x" }}<aside>{{ .Inner }}</aside>{{ end }}'}
    warnings: list[str] = []
    out = expand(
        "{{< aside >}}Kept{{< /aside >}}",
        "hugo",
        TagContext(POST, SITE, shortcodes=templates),
        lambda f, m: warnings.append(m),
    )
    assert out == "Kept"
    assert warnings[0] == "{{< aside >}}: the site's template cannot be rendered here"


def test_expand_held_keeps_each_tag_s_output_aside_until_put_back() -> None:
    context = TagContext(POST, SITE)
    body = "A {{< youtube abc >}} and {{< highlight go >}}x{{< /highlight >}} POSTFEEDHELD0E"
    held, outputs = expand_held(body, "hugo", context, print)
    assert "youtube" not in held and "<a " not in held and "<pre>" not in held
    assert held.endswith(" POSTFEEDHELD0E")  # the body's own text is not taken for a mark
    assert put_back(held, outputs) == expand(body, "hugo", context, print)
    held, _ = expand_held("POSTFEEDHELD" + "X" * MEGABYTE + " {{< x >}}", "hugo", context, print)
    assert held.endswith("X" * (MEGABYTE + 1) + "0E")  # a longer mark, found in one pass


MEGABYTE = 1_000_000


@pytest.mark.parametrize(
    ("syntax", "unit", "expected"),
    [
        # Openers without closers stay text.
        ("hexo", "{% ", "same"),
        ("hexo", "{{ ", "same"),
        ("hexo", "{# ", "same"),
        ("hexo", "` `` ", "same"),
        ("hexo", "```\n", "same"),
        ("hexo", "<!-- ", "same"),
        ("hexo", "<code>", "same"),
        ("liquid", "{% ", "same"),
        ("liquid", "{{ ", "same"),
        ("hugo", "{{< ", "same"),
        ("hugo", "{{% ", "same"),
        ("hugo", "{{</* ", "same"),
        # Block tags that are never closed, and raw blocks without end, are dropped.
        ("hexo", "{% raw %}", "empty"),
        ("hexo", "{% note %}", "empty"),
        ("hexo", "{% codeblock %}", "empty"),
        ("liquid", "{% raw %}", "empty"),
        ("liquid", "{% comment %}", "empty"),
        ("liquid", "{% if x %}", "empty"),
        ("hugo", "{{< note >}}", "empty"),
        ("hugo", "{{< highlight go >}}", "empty"),
    ],
)
def test_a_megabyte_of_openers_gives_a_sane_result(syntax: str, unit: str, expected: str) -> None:
    body = unit * (MEGABYTE // len(unit))
    out, warnings = run(body, syntax)
    assert out == (body if expected == "same" else "")
    assert len(warnings) <= 2


@pytest.mark.parametrize(
    "line",
    [
        "```a b" + " " * (MEGABYTE // 2) + "c\nx\n```\n",  # a caption of blanks, no URL
        "```" + "a " * (MEGABYTE // 2) + "\nx\n```\n",
        "```\n" + "```a\n" * (MEGABYTE // 5),  # openers, one closer
    ],
)
def test_hexo_fences_of_a_megabyte_are_read_in_one_pass(line: str) -> None:
    assert "<figure" in hexo_code_blocks(line) or line.count("```") > 3


def test_a_megabyte_of_openers_with_one_closer_at_the_end() -> None:
    body = "{% " * (MEGABYTE // 3) + "%}"
    out, _ = run(body, "hexo")
    assert out == body
    body = "{{< " * (MEGABYTE // 4) + ">}}"
    out, _ = run(body, "hugo")
    assert out == body


def test_a_megabyte_of_nested_blocks_keeps_the_excess_as_text() -> None:
    count = MEGABYTE // 24
    body = "{% note %}" * count + "x" + "{% endnote %}" * count
    out, _ = run(body, "hexo")
    assert out.count("{% note %}") == count - MAX_DEPTH
    assert "{% endnote %}" not in out


@contextmanager
def counted_calls() -> Iterator[list[int]]:
    """How many functions (Python and built-in) are called inside the block."""
    count = [0]

    def profile(frame: object, event: str, arg: object) -> None:
        if event in ("call", "c_call"):
            count[0] += 1

    sys.setprofile(profile)
    try:
        yield count
    finally:
        sys.setprofile(None)


@pytest.mark.parametrize(
    ("syntax", "unit"),
    [
        ("hexo", "{% note %}x `{{ t }}` {% img /a.png %} {% "),
        ("liquid", "{% if a %}{{ page.t | escape }} {% raw %}"),
        ("hugo", "{{< note >}}x {{< figure src=a >}} {{% "),
    ],
)
def test_the_work_grows_in_proportion_to_the_body(syntax: str, unit: str) -> None:
    # Counted, not timed: ten times the body may take no more than ten times the calls.
    with counted_calls() as small:
        run(unit * 300, syntax)
    with counted_calls() as large:
        run(unit * 3000, syntax)
    assert large[0] <= 10.5 * small[0]


@pytest.mark.parametrize("unit", ["```x\n", "```x\ny\n```\n", "<!--\n```\n", "{% img /a %} "])
def test_hexo_code_blocks_and_line_starts_cost_in_proportion_to_the_body(unit: str) -> None:
    def work(count: int) -> None:
        run(hexo_code_blocks(unit * count), "hexo")

    with counted_calls() as small:
        work(300)
    with counted_calls() as large:
        work(3000)
    assert large[0] <= 10.5 * small[0]
