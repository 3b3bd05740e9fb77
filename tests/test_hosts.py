"""Every host, tested: the bundled portal under MkDocs 1.6, ProperDocs and Zensical, each in its own environment.

Each host gets a new virtual environment (created once per session under a
temporary folder) with the project installed **from a wheel** (so package
data is what a user gets) and the host installed by pip into that
environment's own site-packages.  To keep the suite fast, the environment
sees the test environment's site-packages through a ``.pth`` line *after*
its own, so pip installs only what the test environment lacks (the host
and its missing dependencies); ``pip check`` then proves every requirement
of the project and the host is met.  Tests skip only when the package index
cannot be reached.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest
import yaml
from ruamel.yaml import YAML

from sop_plugin.cli.common import plugin_options
from sop_plugin.links import Links
from sop_plugin.pipeline import build
from sop_plugin.settings import Settings

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "docs" / "guide" / "hosts.md"
HOSTS = {
    "mkdocs": ["mkdocs>=1.6,<1.7", "mkdocs-material>=9.5,<10"],
    "properdocs": ["properdocs==1.6.7", "mkdocs-material>=9.5,<10"],
    "zensical": ["zensical==0.0.73"],
}
OFFLINE = re.compile(r"NewConnectionError|Max retries exceeded|Temporary failure in name resolution|"
                     r"Network is unreachable|ConnectTimeout|Failed to establish a new connection")
GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')  # names the host and its version
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def pip(*args: str, python: Path | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pip", *(["--python", str(python)] if python else []), *args]
    res = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=600)
    if res.returncode != 0 and OFFLINE.search(res.stdout + res.stderr):
        pytest.skip("the package index is unreachable: " + (OFFLINE.search(res.stdout + res.stderr).group(0)))
    assert res.returncode == 0, f"pip {' '.join(args)} failed:\n{res.stdout[-2000:]}\n{res.stderr[-3000:]}"
    return res


@pytest.fixture(scope="session")
def host_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hosts")


@pytest.fixture(scope="session")
def project_wheel(host_root) -> Path:
    out = host_root / "wheel"
    pip("wheel", "-q", "--no-deps", "-w", str(out), str(REPO))
    return next(out.glob("sop_portal-*.whl"))


_ENVS: dict[str, Path] = {}


def host_env(name: str, host_root: Path, wheel: Path) -> Path:
    """The ``bin`` folder of ``name``'s environment (created once per session)."""
    if name in _ENVS:
        return _ENVS[name]
    venv = host_root / f"venv-{name}"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    Path(own, "_test_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    # the project and the host itself into this environment (with their commands), even where the
    # test environment has them too; then whatever else they need that is missing
    pip("install", "-q", "--no-deps", "--ignore-installed", str(wheel), HOSTS[name][0], python=python)
    pip("install", "-q", str(wheel), *HOSTS[name], python=python)
    pip("check", python=python)
    where = subprocess.run([str(python), "-c", "import sop_plugin; print(sop_plugin.__file__)"],
                           capture_output=True, text=True, check=True, cwd=venv).stdout
    assert where.startswith(str(venv)), f"sop_plugin comes from {where}, not from the host's environment"
    assert (venv / "bin" / name).is_file()
    _ENVS[name] = venv / "bin"
    return _ENVS[name]


def portal_copy(dest: Path) -> Path:
    """The bundled portal without the project's own guide and reference pages (the SOP portal is what counts)."""
    for name in ("docs", "sops", "overrides"):
        shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("guide", "reference"))
    shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


def published(project: Path) -> dict:
    options = plugin_options(project / "mkdocs.yml")
    return build(Settings.from_options(options, audit_git=False), project).published


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=ENV, timeout=600)
    assert res.returncode == 0, f"{' '.join(cmd)} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res


def check_sop_pages(project: Path, site: Path) -> dict[str, bytes]:
    """Every published SOP has its page with the SOP-AP table and each step; the catalogue lists them all.

    Returns each SOP page's bytes, without the ``generator`` meta tag.
    """
    sops = published(project)
    assert len(sops) >= 10
    links = Links()
    catalogue = (site / "katalog" / "index.html").read_text(encoding="utf-8")
    pages = {}
    for sop_id, sop in sops.items():
        page = site / links.page_url(links.sop_page(sop_id)) / "index.html"
        assert page.is_file(), f"no page for {sop_id}"
        text = page.read_text(encoding="utf-8")
        assert f'data-sop-id="{sop_id}"' in text and 'class="sopap-table' in text, sop_id
        for step in sop.procedure.steps:
            assert f'id="sopap-step-{step.number}"' in text, (sop_id, step.number)
        assert "::: sop" not in text
        assert sop_id in catalogue
        pages[sop_id] = GENERATOR.sub(b"", page.read_bytes())
    return pages


_SITES: dict[str, dict[str, bytes]] = {}


def mkdocs_like(name: str, host_root: Path, wheel: Path) -> dict[str, bytes]:
    if name not in _SITES:
        bin_dir = host_env(name, host_root, wheel)
        project = portal_copy(host_root / f"portal-{name}")
        res = run([str(bin_dir / name), "build", "--strict", "-q", "-d", "site"], project)
        assert "end of life" not in res.stderr  # NO_MKDOCS_2_WARNING silences the banner
        _SITES[name] = check_sop_pages(project, project / "site")
        assert json.loads((project / "site" / "sops.json").read_text(encoding="utf-8"))["count"] == len(_SITES[name])
    return _SITES[name]


def test_mkdocs_16_builds_the_portal_in_its_own_environment(host_root, project_wheel):
    assert mkdocs_like("mkdocs", host_root, project_wheel)


def test_properdocs_builds_the_same_sop_pages(host_root, project_wheel):
    pages = mkdocs_like("properdocs", host_root, project_wheel)
    reference = mkdocs_like("mkdocs", host_root, project_wheel)
    assert pages.keys() == reference.keys()
    differing = [k for k in pages if pages[k] != reference[k]]
    assert not differing, f"SOP pages differ between ProperDocs and MkDocs: {differing}"


def guide_section() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index("### Zensical (no MkDocs plugins)")
    return text[start:text.index("\n### ", start + 1)]


def test_zensical_recipe_from_the_guide(host_root, project_wheel):
    """Follow docs/guide/hosts.md: install, add the extension and assets to mkdocs.yml, lint, sop pages, build."""
    section = guide_section()
    installs = re.findall(r"^\s*\$ pip install (.+)$", section, re.M)
    assert installs == [". zensical==0.0.73"], installs
    assert HOSTS["zensical"] == installs[0].split()[1:]
    bin_dir = host_env("zensical", host_root, project_wheel)
    project = portal_copy(host_root / "portal-zensical")
    config = yaml.safe_load(textwrap.dedent(re.search(r"```yaml\n(.*?)\n *```", section, re.S).group(1)))
    rt = YAML()  # round trip: tags such as !ENV stay as written
    site = rt.load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    site.update(config)  # the plugins entry stays: Zensical ignores it
    with (project / "mkdocs.yml").open("w", encoding="utf-8") as f:
        rt.dump(site, f)
    commands = re.findall(r"^\s*\$ (sop .+|zensical .+)$", section, re.M)
    assert commands == ["sop lint --strict", "sop pages --out docs", "zensical build --clean"]
    printed = ""
    for command in commands:
        words = command.split()
        printed += run([str(bin_dir / words[0]), *words[1:]], project).stdout
    for line in re.findall(r"^  - (assets/sop/\S+)$", printed, re.M):  # what sop pages prints is in the guide
        assert line in config["extra_css"] + config["extra_javascript"], line
    out = project / "site"
    pages = check_sop_pages(project, out)
    page = pages["SOP-UMUM-001"].decode("utf-8")
    assert 'src="../../assets/sop/sop.js"' in page  # the assets load on SOP pages
    assert 'href="../sop-keu-002/"' in page  # a hand-over link, right after Zensical rewrote the links
    assert "::: sop-home" not in (out / "index.html").read_text(encoding="utf-8")
