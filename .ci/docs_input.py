"""Prepare Quarto's input the way `nbdev_docs` does, minus installing Quarto (not every machine can), and check it.

nbdev's `_pre_docs` would first try to install Quarto with sudo; here we run its other steps: refresh nbdev.yml,
the module index, the sidebar, and the processed notebooks in `_proc/` (with every `show_doc` rendered).
Then we check that Quarto would find what `_quarto.yml` names, every page in the sidebar, and the API docs rendered.
"""
import json
import sys

import yaml
import nbdev.doclinks
from nbdev.config import get_config
from nbdev.quarto import _def_file_re, nbdev_sidebar, refresh_quarto_yml
from nbdev.serve import proc_nbs

def rendered_docs(proc, name: str) -> str:
    cells = json.loads((proc / name).read_text())["cells"]
    return "".join("".join(output.get("data", {}).get("text/markdown", "")) for cell in cells for output in cell.get("outputs", []))


def main() -> None:
    config = get_config()
    nbs, proc = config.nbs_path, config.config_path / "_proc"
    refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    nbdev_sidebar.__wrapped__(path=nbs, file_re=_def_file_re)
    proc_nbs(nbs, force=True, n_workers=2)

    problems = []
    notebooks = sorted(p.name for p in nbs.glob("*.ipynb"))
    quarto = yaml.safe_load((proc / "_quarto.yml").read_text())
    if quarto.get("project", {}).get("type") != "website":
        problems.append("_quarto.yml does not declare a website project")
    for name in quarto.get("metadata-files", []):
        if not (nbs / name).is_file():
            problems.append(f"_quarto.yml names metadata file {name}, which is missing")
    if yaml.safe_load((nbs / "nbdev.yml").read_text())["project"]["output-dir"] != config.doc_path.name:
        problems.append("nbdev.yml's output-dir is not settings.ini's doc_path")
    pages = yaml.safe_load((nbs / "sidebar.yml").read_text())["website"]["sidebar"]["contents"]
    if sorted(pages) != notebooks:
        problems.append(f"the sidebar lists {pages}, the notebooks are {notebooks}")
    for name in notebooks:
        if not (proc / name).is_file():
            problems.append(f"{name} was not processed into _proc/")


    for page, symbols in {
        "59_Testing_API.ipynb": ["Tester", "InMemoryBroker", "ApacheKafkaBroker", "ApacheKafkaBroker.start", "ApacheKafkaBroker.stop", "install_kafka"],
        "49_FastKafka_API.ipynb": ["FastKafka", "FastKafka.consumes", "FastKafka.produces", "FastKafka.run_in_background",
                                   "FastKafka.benchmark", "FastKafka.create_mocks", "KafkaEvent"],
    }.items():
        docs = rendered_docs(proc, page)
        problems += [f"{page} does not render the docs of {symbol}" for symbol in symbols if f"### {symbol}\n" not in docs]

    if problems:
        sys.exit("Quarto's input is not right:\n- " + "\n- ".join(problems))
    print(f"Quarto's input is ready in {proc.name}/: {len(notebooks)} pages, sidebar and metadata files present, API docs rendered")


if __name__ == "__main__":  # proc_nbs spawns workers, which import this file again
    main()
