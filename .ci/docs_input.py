"""The docs check: build the site up to Quarto, render every page to HTML and look at it in headless Chromium.

Quarto cannot be installed on every machine, so this runs what `nbdev_docs` runs before Quarto (nbdev's `_pre_docs`
without its sudo install of Quarto): refresh nbdev.yml/_quarto.yml, the module index, the sidebar (a no-op: ours is
committed, `custom_sidebar = True`), then nbdev's notebook processing (`proc_nbs`) into `_proc/`. Then, in place of
Quarto, every page of the site is rendered from its processed notebook with nbconvert (after applying the cell options
Quarto would: `#| include: false`, `echo: false`, `output: false`) into `_docs_check/`, and each HTML file is opened in
one headless Chromium session (selenium) to check what a reader would see:

- processing: every notebook nbdev_docs processes is processed without an error;
- no error outputs (no `output_type: error`, no traceback in an output), no memory addresses (`object at 0x7f...`)
  in outputs or prose (show_doc's signatures are outputs);
- guide and getting-started pages show at least one output;
- no private names (`._x`, `from fastkafka._...`, importing or calling `_x`) in the visible code of guide,
  getting-started and API pages (cells with `#| hide` are gone from the processed notebooks, as on the site);
- tests (`test_eq`, `test_fail`, `assert`, ...) are at most 25% of the visible code lines of each guide and API page,
  and of all of them together;
- every internal link (relative, or under the site's URL as nbdev writes doc links) leads to a page of the site:
  `x.ipynb` to a page, `x.html` to the file Quarto writes for one (nbdev's `output-file`: 40_App.ipynb -> app.html);
- every page has a title; the sidebar lists every page of the site and no more, in the committed section order;
- _quarto.yml keeps the test notebooks out of Quarto's render; the API pages render the docs of their symbols.

About the sidebar: nbdev 2.4's generated one (`nbdev_sidebar`, run when `custom_sidebar = False`) is alphabetical,
names sections after folders (`api`, `guides`, `internals`, `tests`), includes tests/ and 88_*, and with numbered
folders (e.g. `01_getting_started/`) strips the number from the folder in the page paths it writes
(`getting_started/01_Install.ipynb`), so those links break: nbdev issue #1492. Hence the committed nbs/sidebar.yml;
this check prints what nbdev would generate only when asked (`--show-generated-sidebar`).

Run from the repository root: `python .ci/docs_input.py` (exit code 1 with the list of problems, 0 when all is right).
"""
import ast
import io
import json
import os
import posixpath
import re
import shutil
import sys
import tokenize
import traceback
import warnings
from collections import Counter, defaultdict
from contextlib import redirect_stdout
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

import nbdev.doclinks
import nbdev.serve
import nbdev.serve_drv
from fastcore.parallel import parallel
from nbdev.config import get_config
from nbdev.quarto import _def_file_re, nbdev_sidebar, refresh_quarto_yml

SECTIONS = ["Getting started", "Guides", "API reference", "Internals"]  # the sidebar's sections, in this order
SECTION_DIRS = {"getting_started": "getting started", "guides": "guide", "api": "API", "internals": "internals"}
EXCLUDED_DIRS = {"tests"}  # integration tests: run by nbdev_test, not pages of the site
EXCLUDED_FILE_RE = re.compile(r"^88_")  # 88_Reliability.ipynb, until it moves into tests/
MAX_TEST_SHARE = 0.25
API_SYMBOLS = {  # the docs each API page must render (a `### name` heading from show_doc)
    "api/FastKafka.ipynb": ["FastKafka", "FastKafka.consumes", "FastKafka.produces", "FastKafka.run_in_background",
                            "FastKafka.benchmark", "FastKafka.create_mocks", "KafkaEvent", "EventMetadata"],
    "api/Testing.ipynb": ["Tester", "InMemoryBroker", "ApacheKafkaBroker", "ApacheKafkaBroker.start",
                          "ApacheKafkaBroker.stop", "install_kafka"],
    "api/Encoder.ipynb": ["json_encoder", "json_decoder", "avro_encoder", "avro_decoder", "avsc_to_pydantic", "AvroBase"],
}
CHROMIUM_OPTIONS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
OUT_DIR = "_docs_check"  # the HTML this check renders, kept for a look when it fails (git-ignored)


# ---------------------------------------------------------------------------------------------------- the pages
def site_pages(nbs: Path) -> list[str]:
    """Every page of the site: the notebooks under nbs/ Quarto renders (not hidden, not tests/ or 88_*)."""
    pages = []
    for path in nbs.rglob("*.ipynb"):
        rel = path.relative_to(nbs)
        if any(part.startswith((".", "_")) for part in rel.parts) or ".ipynb_checkpoints" in rel.parts:
            continue
        if rel.parts[0] in EXCLUDED_DIRS or EXCLUDED_FILE_RE.match(rel.name):
            continue
        pages.append(rel.as_posix())
    return sorted(pages)


def kind(page: str) -> str:
    return SECTION_DIRS.get(page.split("/")[0], "home" if page == "index.ipynb" else "other")


# ------------------------------------------------------------------------------------------------ nbdev's steps
def process_one(job):
    """One file of `proc_nbs`, in a worker: nbdev's own `serve_drv.main`, with its error and warnings returned."""
    src = str(job[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            nbdev.serve_drv.main(job)
            error = None
        except BaseException as e:  # noqa: BLE001 - every failure is reported, the other notebooks still processed
            cause = e.__cause__ or e.__context__
            error = str(e).strip()
            if cause is not None:
                error += "\n" + "".join(traceback.format_exception_only(type(cause), cause)).strip()
    return src, error, [str(w.message).strip() for w in caught if "containing imports and other code" in str(w.message)]


def proc_nbs_all(nbs: Path, proc: Path) -> list[tuple[str, str | None, list[str]]]:
    """`nbdev.serve.proc_nbs(nbs, force=True)`, step by step, so that one broken notebook does not hide the others.

    Same files (nbglob of everything under nbs/, plus _quarto.yml), same per-file function (`_proc_file`, then
    `serve_drv.main` with `FilterDefaults` in spawned workers); proc_nbs would stop at the first exception.
    """
    files = nbdev.doclinks.nbglob(nbs, func=Path, file_glob="", file_re="")
    for extra in ("_quarto.yml", "_brand.yml"):
        if (nbs / extra).exists():
            files.append(nbs / extra)
    if proc.exists():
        shutil.rmtree(proc)
    proc.mkdir(parents=True)
    jobs = files.map(nbdev.serve._proc_file, mtime=None, cache=proc, path=nbs).filter()
    # the spawned workers import the worker function by module name: this file, importable as `docs_input`
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from docs_input import process_one as worker
    results = parallel(worker, jobs, n_workers=min(4, os.cpu_count() or 2), pause=0.01, method="spawn")
    proc.touch()
    return list(results)


def generated_sidebar(nbs: Path) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        nbdev_sidebar.__wrapped__(path=nbs, file_re=_def_file_re, printit=True, force=True)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------ the sidebar
def sidebar_entries(contents, section=None):
    """(section, href) for every page the sidebar names, recursively."""
    for item in contents or []:
        if isinstance(item, str):
            yield section, item
        elif isinstance(item, dict):
            if "href" in item:
                yield item.get("section", section), item["href"]
            if "contents" in item:
                yield from sidebar_entries(item["contents"], item.get("section", section))


def check_sidebar(nbs: Path, pages: list[str], config) -> list[str]:
    problems = []
    if str(config.get("custom_sidebar", "False")).lower() not in ("true", "1", "yes"):
        problems.append("settings.ini has custom_sidebar = False: nbdev_docs would overwrite nbs/sidebar.yml")
    sidebar = yaml.safe_load((nbs / "sidebar.yml").read_text())
    contents = sidebar["website"]["sidebar"]["contents"]
    sections = [item["section"] for item in contents if isinstance(item, dict) and "section" in item]
    if sections != SECTIONS:
        problems.append(f"the sidebar's sections are {sections}, not {SECTIONS}")
    entries = list(sidebar_entries(contents))
    listed = [href for _, href in entries]
    for href in sorted({h for h in listed if listed.count(h) > 1}):
        problems.append(f"the sidebar lists {href} more than once")
    for href in listed:
        if not (nbs / href).is_file():
            problems.append(f"the sidebar lists {href}, which does not exist")
        elif href not in pages:
            problems.append(f"the sidebar lists {href}, which is not a page of the site")
    problems += [f"{page} is not in the sidebar" for page in pages if page not in listed]
    return problems


def check_quarto_yml(nbs: Path, proc: Path, config) -> list[str]:
    problems = []
    quarto = yaml.safe_load((proc / "_quarto.yml").read_text())
    if quarto.get("project", {}).get("type") != "website":
        problems.append("_quarto.yml does not declare a website project")
    render = quarto.get("project", {}).get("render") or []
    for pattern in ("!tests/", "!88_*.ipynb"):
        if pattern not in render:
            problems.append(f"_quarto.yml's project.render lacks {pattern!r}: Quarto would render the test notebooks")
    for name in quarto.get("metadata-files", []):
        if not (nbs / name).is_file():
            problems.append(f"_quarto.yml names metadata file {name}, which is missing")
    if yaml.safe_load((nbs / "nbdev.yml").read_text())["project"]["output-dir"] != config.doc_path.name:
        problems.append("nbdev.yml's output-dir is not settings.ini's doc_path")
    return problems


# ------------------------------------------------------------------------------- rendering, the way Quarto would
def cell_options(source: str) -> tuple[dict, str]:
    """Quarto's `#| key: value` cell options (nbdev's `#| flag` too) and the source without them."""
    options, lines = {}, source.splitlines()
    body_start = 0
    for i, line in enumerate(lines):
        if line.startswith("#|"):
            option = line[2:].strip()
            key, _, value = option.partition(":")
            options[key.strip().lower()] = value.strip().lower() if value.strip() else "true"
            body_start = i + 1
        elif line.strip():
            break
    return options, "\n".join(lines[body_start:])


def quarto_view(nb: dict) -> dict:
    """The notebook as Quarto would show it: options applied and removed from the source."""
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            cells.append(cell)
            continue
        options, source = cell_options("".join(cell["source"]))
        if options.get("include") == "false":
            continue
        cell = dict(cell, source=source, metadata=dict(cell.get("metadata", {})))
        tags = []
        if options.get("echo") == "false":
            tags.append("remove_input")
        if options.get("output") == "false":
            tags.append("remove_output")
        cell["metadata"]["tags"] = tags
        cells.append(cell)
    return dict(nb, cells=cells)


def render_html(proc: Path, pages: list[str], out: Path) -> dict[str, Path]:
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_input_tags = {"remove_input"}
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove_output"}
    # no CDN scripts: the check runs offline and only needs the page's text
    exporter = HTMLExporter(config=config, template_name="lab", mathjax_url="", require_js_url="")
    if out.exists():
        shutil.rmtree(out)
    rendered = {}
    for page in pages:
        source = proc / page
        if not source.is_file():
            continue
        nb = nbformat.reads(json.dumps(quarto_view(json.loads(source.read_text()))), as_version=4)
        body, _ = exporter.from_notebook_node(nb)
        target = out / Path(page).with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)
        rendered[page] = target
    return rendered


# ------------------------------------------------------------------------------------------------ the browser
READ_PAGE = r"""
const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
const all = sel => [...document.querySelectorAll(sel)].filter(visible);
return {
  code: all('.jp-CodeCell .jp-InputArea-editor').map(e => e.innerText),
  markdown_code: all('.jp-MarkdownCell pre').map(e => e.innerText),
  outputs: all('.jp-CodeCell .jp-OutputArea-output').length,
  output_text: all('.jp-OutputArea-output').map(e => e.innerText).join('\n'),
  markdown_text: all('.jp-MarkdownCell').map(e => e.innerText).join('\n'),
  hrefs: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
};
"""


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from fastkafka._docs.html import check_browser

    chromium, driver_path = check_browser()  # on PATH; missing, the error names the Debian packages to install
    options = webdriver.ChromeOptions()
    for option in CHROMIUM_OPTIONS:
        options.add_argument(option)
    options.binary_location = chromium
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(60)
    return driver


# ---------------------------------------------------------------------------------------------- code analysis
PRIVATE = re.compile(r"^_[A-Za-z0-9]\w*$")
DUNDER = re.compile(r"^__\w+__$")
TEST_CALL = re.compile(r"^test_\w*$")
TEST_LINE = re.compile(r"^\s*(?:test_\w*\s*\(|assert\b)")


def without_magics(code: str) -> str:
    """IPython lines (`%time`, `!pip ...`) blanked, so the rest parses and tokenizes; line numbers kept."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines())


def private_names(code: str) -> list[str]:
    """Private names a reader sees: `._x`, `from fastkafka._x import`, `import _x`, `from m import _x`, `_x(`."""
    found = []
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(without_magics(code)).readline)
                  if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return re.findall(r"(?:\.|\bimport\s+|\bfrom\s+\S*?)(_[A-Za-z]\w*)", code)
    statement_start = 0
    for i, token in enumerate(tokens):
        if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER) or (token.type == tokenize.OP and token.string == ";"):
            statement_start = i + 1
            continue
        if token.type != tokenize.NAME or not PRIVATE.match(token.string) or DUNDER.match(token.string):
            continue
        before = tokens[i - 1] if i else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        first = tokens[statement_start].string if statement_start < len(tokens) else ""
        line = token.line.strip()
        if before is not None and before.type == tokenize.OP and before.string == ".":
            found.append(f".{token.string} in `{line}`")
        elif first in ("from", "import"):
            found.append(f"{token.string} in `{line}`")
        elif after is not None and after.type == tokenize.OP and after.string == "(" and not (
                before is not None and before.type == tokenize.NAME and before.string in ("def", "class")):
            found.append(f"{token.string}( in `{line}`")
    return found


def is_python(code: str) -> bool:
    try:
        compile(without_magics(code), "<block>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        return True
    except (SyntaxError, ValueError):
        return False


def code_lines(code: str) -> tuple[int, int]:
    """(visible code lines, of which test lines): blank and comment-only lines do not count; a multi-line
    `test_eq(...)`/`assert` counts with all its lines."""
    lines = code.splitlines()
    counted = {i + 1 for i, line in enumerate(lines) if line.strip() and not line.strip().startswith("#")}
    tests = set()
    try:
        tree = compile(without_magics(code), "<cell>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        for node in ast.walk(tree):
            call = node.value if isinstance(node, (ast.Expr, ast.Await)) else None
            if isinstance(call, ast.Await):
                call = call.value
            is_test = isinstance(node, ast.Assert) or (
                isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and TEST_CALL.match(call.func.id))
            if is_test:
                tests.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    except SyntaxError:
        tests = {i + 1 for i, line in enumerate(lines) if TEST_LINE.match(line)}
    return len(counted), len(counted & tests)


# ---------------------------------------------------------------------------------------------------- links
def link_target(page: str, href: str, site_url: str) -> str | None:
    """Where an internal link points, as a path in the site (an input `x.ipynb` or an output `x.html`), or None for
    links elsewhere. nbdev writes its doc links as absolute URLs under the site's URL, to output files."""
    if href.startswith(site_url):
        path = "/" + href[len(site_url):].lstrip("/")
    else:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith("#") or not parts.path:
            return None
        path = parts.path
    path = unquote(urlsplit(path).path)
    if path.endswith("/"):
        path += "index.html"
    if not re.search(r"\.(ipynb|html|qmd|md)$", path):
        return None
    if path.startswith("/"):
        return posixpath.normpath(path.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), path))


def output_file(proc: Path, page: str) -> str:
    """The HTML file Quarto writes for a page: nbdev's processing sets `output-file` in its front matter (the name
    lower-cased, a number prefix dropped: internals/40_App.ipynb -> internals/app.html)."""
    default = nbdev.doclinks._nbpath2html(Path(page)).as_posix()
    if not (proc / page).is_file():
        return default
    cells = json.loads((proc / page).read_text())["cells"]
    raw = next(("".join(c["source"]) for c in cells if c["cell_type"] == "raw"), "")
    match = re.match(r"\s*---\n(.*?)\n---", raw, re.S)
    name = (yaml.safe_load(match.group(1)) or {}).get("output-file") if match else None
    return posixpath.join(posixpath.dirname(page), name) if name else str(Path(page).with_suffix(".html"))


def where_addresses(nb: dict, addresses: list[str]) -> str:
    """Which show_doc signatures render a default as `<... object at 0x...>`, parameter by parameter."""
    found = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            text = "".join(output.get("data", {}).get("text/markdown", ""))
            heading = re.search(r"^#+ (.+)$", text, re.M)
            params = re.findall(r"(\w+)\s*:\s*[^=,(]*?=\s*<([\w.]+) object at 0x", text)
            if heading and params:
                found.append(f"{heading.group(1)}(" + ", ".join(f"{name}=<{cls} object at 0x…>" for name, cls in params) + ")")
    if found:
        return "; ".join(found)
    counts = Counter(re.sub(r"0x[0-9a-f]{6,}", "0x…", a) for a in addresses)
    return "; ".join(f"{a} (x{n})" if n > 1 else a for a, n in counts.items())


# ------------------------------------------------------------------------------------------------------- main
def main() -> int:
    config = get_config()
    root = config.config_path
    nbs, proc, out = config.nbs_path, root / "_proc", root / OUT_DIR
    if "--show-generated-sidebar" in sys.argv:
        print(generated_sidebar(nbs))
        return 0
    problems: dict[str, list[str]] = defaultdict(list)

    # nbdev_docs' steps before Quarto
    refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    nbdev_sidebar.__wrapped__(path=nbs, file_re=_def_file_re)  # a no-op with custom_sidebar = True, as in nbdev_docs
    pages = site_pages(nbs)
    notices = []  # printed, not failures
    for src, error, mixed in proc_nbs_all(nbs, proc):
        rel = Path(src).relative_to(nbs).as_posix()
        if error:
            problems["nbdev's processing (nbdev_docs would stop here)"].append(
                f"{rel}: " + error.replace("\n", "\n    "))
        for warning in mixed if rel in pages else []:
            cell = warning.split("---")[1].strip().splitlines()[0] if "---" in warning else warning
            notices.append(f"{rel}: a cell mixes imports with other code, so nbdev runs it while building the docs "
                           f"(see nbdev's FAQ): `{cell[:80]}`")
    problems["site configuration (_quarto.yml, nbdev.yml)"] += check_quarto_yml(nbs, proc, config)
    problems["sidebar"] += check_sidebar(nbs, pages, config)

    # the pages, rendered and read in Chromium
    rendered = render_html(proc, pages, out)
    failed = {item.split(":")[0] for item in problems["nbdev's processing (nbdev_docs would stop here)"]}
    for page in pages:
        if page not in rendered and page not in failed:
            problems["nbdev's processing (nbdev_docs would stop here)"].append(f"{page} was not processed into _proc/")
    site_url = "/".join(p for p in (config.doc_host.rstrip("/"), config.doc_baseurl.strip("/")) if p) + "/"
    outputs = defaultdict(list)  # output file -> pages
    for page in pages:
        outputs[output_file(proc, page)].append(page)
    problems["pages"] += [f"{', '.join(sources)} would all be written to {out_file}"
                          for out_file, sources in outputs.items() if len(sources) > 1]
    stats = {}  # page -> (code lines, test lines)
    driver = browser()
    try:
        for page, html in rendered.items():
            nb = json.loads((proc / page).read_text())
            driver.get(html.resolve().as_uri())
            seen = driver.execute_script(READ_PAGE)
            section = kind(page)

            frontmatter = next((c for c in nb["cells"] if c["cell_type"] == "raw"), None)
            if not frontmatter or not re.search(r"^title:", "".join(frontmatter["source"]), re.M):
                problems["pages"].append(f"{page} has no title (a first markdown cell `# Title` then `> description`)")
            errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
            if errors:
                problems["error outputs"].append(f"{page}: {len(errors)} error output(s): "
                                                 + ", ".join(f"{o.get('ename')}: {o.get('evalue', '')[:80]}" for o in errors))
            if "Traceback (most recent call last)" in seen["output_text"]:
                problems["error outputs"].append(f"{page} shows a traceback in an output")
            addresses = sorted(re.findall(r"[\w.]*\s*object at 0x[0-9a-f]{6,}",
                                          seen["output_text"] + "\n" + seen["markdown_text"]))
            if addresses:
                problems["memory addresses rendered (signatures or outputs)"].append(f"{page}: " + where_addresses(nb, addresses))
            if section in ("guide", "getting started") and seen["outputs"] == 0:
                problems["pages without outputs"].append(f"{page} shows no output")
            if section in ("guide", "getting started", "API"):
                # code cells, and the Python blocks of the prose (not shell commands or log lines shown there)
                shown = seen["code"] + [code for code in seen["markdown_code"] if is_python(code)]
                names = [n for code in shown for n in private_names(code)]
                problems["private names in visible code"] += [f"{page}: {n}" for n in names]
            if section in ("guide", "API", "getting started"):
                lines = [code_lines(code) for code in seen["code"]]
                stats[page] = (sum(n for n, _ in lines), sum(t for _, t in lines))
            for href in sorted(set(seen["hrefs"])):
                target = link_target(page, href, site_url)
                if target is None or target in pages or target in outputs:
                    continue
                if target.endswith(".html"):
                    where = "no page is written there"
                    near = [p for p in pages if Path(p).stem.lower() == Path(target).stem.lower()]
                    if near:
                        where += f"; {near[0]} is written to {output_file(proc, near[0])}"
                else:
                    where = "not a page of the site" if (nbs / target).is_file() else "no such notebook"
                problems["broken internal links"].append(f"{page}: {href} -> {target} ({where})")
            if page in API_SYMBOLS:
                docs = "".join("".join(o.get("data", {}).get("text/markdown", ""))
                               for c in nb["cells"] for o in c.get("outputs", []))
                problems["API docs"] += [f"{page} does not render the docs of {symbol}"
                                         for symbol in API_SYMBOLS[page] if f"### {symbol}\n" not in docs]
    finally:
        driver.quit()
    for page in API_SYMBOLS:
        if page not in pages:
            problems["API docs"].append(f"{page} is missing")

    # the share of tests in the visible code
    print(f"{len(pages)} pages in the site ({len(rendered)} rendered and checked in Chromium, HTML in {OUT_DIR}/)")
    measured = {p: s for p, s in stats.items() if kind(p) in ("guide", "API")}
    total = sum(n for n, _ in measured.values())
    tests = sum(t for _, t in measured.values())
    for page, (n, t) in sorted(stats.items()):
        share = t / n if n else 0.0
        counted = kind(page) in ("guide", "API")
        print(f"  {page}: {t}/{n} visible code lines are tests ({share:.0%})" + ("" if counted else " [not counted]"))
        if counted and share > MAX_TEST_SHARE:
            problems["tests in the visible code (at most 25% per guide/API page)"].append(
                f"{page}: {t} of {n} visible code lines are tests ({share:.0%})")
    overall = tests / total if total else 0.0
    private = len(problems.get("private names in visible code", []))
    print(f"guide and API pages: {tests} of {total} visible code lines are tests ({overall:.0%}; target under 25%), "
          f"{private} private names in visible code of guide, getting-started and API pages")
    if overall > MAX_TEST_SHARE:
        problems["tests in the visible code (at most 25% per guide/API page)"].append(
            f"all guide and API pages: {overall:.0%} of the visible code lines are tests")

    if notices:
        print("\nNotes (not failures):\n- " + "\n- ".join(notices))
    problems = {group: items for group, items in problems.items() if items}
    if problems:
        count = sum(len(items) for items in problems.values())
        print(f"\nThe docs are not right: {count} problem(s)")
        for group, items in problems.items():
            print(f"\n{group} ({len(items)}):")
            for item in items:
                print(f"- {item}")
        return 1
    print("The docs are right: every page processed, rendered and checked")
    return 0


if __name__ == "__main__":  # the processing spawns workers, which import this file again
    sys.exit(main())
