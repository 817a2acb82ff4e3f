"""Write README.md from nbs/index.ipynb (nbdev's own nbdev_readme needs Quarto, which not every machine has).

Markdown cells are copied; code cells become ```python blocks, honouring nbdev's `#| hide`, `#| echo: false`
and `#| output: false` directives; text outputs follow as plain blocks.
`python .ci/readme.py --check` writes nothing and exits 1 when README.md differs from what the notebook says.
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTICE = "<!-- Generated from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file. -->\n\n"


def directives(source: str) -> tuple:
    "Split a code cell's source into its nbdev directives ({'hide': '', 'echo:': 'false', ...}) and the code"
    found, code = {}, []
    for line in source.splitlines():
        if line.replace(" ", "").startswith("#|"):
            name, _, value = line.strip()[2:].strip().partition(" ")
            found[name] = value.strip().lower()
        else:
            code.append(line)
    return found, "\n".join(code).strip("\n")


def outputs_text(cell: dict) -> str:
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            texts.append("".join(output["text"]))
        elif "text/plain" in output.get("data", {}):
            texts.append("".join(output["data"]["text/plain"]))
    return "".join(texts).strip("\n")


def render(notebook_path: Path) -> str:
    blocks = []
    for cell in json.loads(notebook_path.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            blocks.append(source.strip("\n"))
            continue
        if cell["cell_type"] != "code":
            continue
        found, code = directives(source)
        if "hide" in found or found.get("include:") == "false" or "default_exp" in found:
            continue
        if code and found.get("echo:") != "false":
            blocks.append(f"```python\n{code}\n```")
        text = outputs_text(cell)
        if text and found.get("output:") != "false":
            blocks.append(f"```\n{text}\n```")
    return NOTICE + "\n\n".join(blocks) + "\n"


if __name__ == "__main__":
    readme, wanted = ROOT / "README.md", render(ROOT / "nbs" / "index.ipynb")
    if "--check" in sys.argv[1:]:
        if readme.read_text(encoding="utf-8") != wanted:
            sys.exit("README.md differs from nbs/index.ipynb: run `python .ci/readme.py` and commit README.md")
        print("README.md matches nbs/index.ipynb")
    else:
        readme.write_text(wanted, encoding="utf-8")
