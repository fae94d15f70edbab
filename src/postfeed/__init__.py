"""postfeed: turn a folder of posts into feeds people subscribe to.

The pipeline, one module a stage (README "Layout" lists them all):

    scan       the posts folder -> its post files, and what changed since the last build
    reader     one file -> Post (front matter + body text); salvage
    dates      front-matter date values -> aware UTC datetimes
    fields     title, categories, author, image, link, id (urls: the URL policy)
    content    body -> rendered, sanitized HTML and a plain-text summary
    collector  Post -> Article in the cache, with every problem reported per file
    feedsets   which feed sets there are, and which articles each takes
    publish    feed sets -> the bytes of each format in formats.FORMATS
    output     bytes -> files, atomically, only when they changed
    state      what the last build wrote, so the next one can skip work
    build      the library API that runs the stages: build(config)
    cli        the command line, a thin shell over build
"""

__version__ = "0.2.0"
