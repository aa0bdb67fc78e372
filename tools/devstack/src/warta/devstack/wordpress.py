"""A real WordPress for tests: Debian's ``wordpress`` package on MariaDB, served by PHP's built-in
server on loopback, set up as the city's site would be (docs/operations.md): pretty permalinks,
the site's time zone, the "Siaran Pers" category made by the administrator, and the publisher's
own Author account with an application password for the REST API. An Author may upload, post and
tag but has no ``unfiltered_html``, so WordPress filters what it is sent. The administrator's
application password is there for tests to read back everything the site stores.

Everything lives in one work folder: the database's files and socket, a copy of the site with its
own ``wp-config.php``, and the logs. ``tools/system/deps.sh`` installs the packages (``make test`` runs it).
"""

import os
import shutil
import signal
import subprocess
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from .servers import free_port

WORDPRESS = Path("/usr/share/wordpress")
PACKAGES = "wordpress, wordpress-theme-twentytwentythree, mariadb-server and php-cli/-mysql/-gd/-xml/-mbstring"
ADMIN = "redaksi"
PUBLISHER = "warta"
CATEGORY = "Siaran Pers"


class WordPressMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class WordPressSite:
    url: str
    username: str  # the publisher's Author account
    application_password: str
    admin_username: str
    admin_application_password: str
    timezone: str
    database_socket: str

    @property
    def admin(self) -> tuple[str, str]:
        """Basic auth of the administrator, to read back what the site stores."""
        return self.admin_username, self.admin_application_password

    def sql(self, query: str) -> list[list[str]]:
        """A query straight at the site's database, for a test to see what really is there."""
        out = subprocess.run(
            [
                "mariadb",
                "--no-defaults",
                f"--socket={self.database_socket}",
                "-uroot",
                "-N",
                "-B",
                "wordpress",
                "-e",
                query,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return [line.split("\t") for line in out.splitlines()]


def _require_packages() -> None:
    missing = [p for p in ("php", "mariadbd", "mariadb-install-db", "mariadb") if shutil.which(p) is None]
    if missing or not (WORDPRESS / "wp-load.php").exists():
        raise WordPressMissing(
            f"a real WordPress needs {PACKAGES} (missing: {missing or 'wordpress'}); run tools/system/deps.sh"
        )


def _start(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_for(check: Callable[[], bool], what: str, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start in {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def wordpress_site(work_dir: Path, timezone: str = "Asia/Jakarta") -> Iterator[WordPressSite]:
    """A real WordPress on MariaDB and PHP's server in ``work_dir``, set up as the city's site.

    Long: the installation's commands in the order an administrator runs them.
    """
    _require_packages()
    work_dir.mkdir(parents=True, exist_ok=True)
    data, socket, site = work_dir / "mariadb", work_dir / "mariadb.sock", work_dir / "site"
    db_log, php_log = work_dir / "mariadb.log", work_dir / "php.log"
    subprocess.run(
        [
            "mariadb-install-db",
            "--no-defaults",
            "--user=root",
            f"--datadir={data}",
            "--auth-root-authentication-method=normal",
        ],
        check=True,
        capture_output=True,
    )
    database = _start(
        [
            "mariadbd",
            "--no-defaults",
            "--user=root",
            f"--datadir={data}",
            f"--socket={socket}",
            "--skip-networking",
            f"--pid-file={work_dir / 'mariadb.pid'}",
            "--innodb-buffer-pool-size=32M",
        ],
        db_log,
    )
    server: subprocess.Popen[bytes] | None = None
    try:
        _wait_for(socket.exists, "MariaDB", db_log)
        _wait_for(
            lambda: (
                subprocess.run(
                    [
                        "mariadb",
                        "--no-defaults",
                        f"--socket={socket}",
                        "-uroot",
                        "-e",
                        "CREATE DATABASE IF NOT EXISTS wordpress",
                    ],
                    capture_output=True,
                ).returncode
                == 0
            ),
            "MariaDB",
            db_log,
        )
        shutil.copytree(WORDPRESS, site, symlinks=False)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        (site / "wp-config.php").write_text(_config(url, socket))
        (site / "router.php").write_text(ROUTER)
        admin_password, password = _install(site, url, work_dir, timezone)
        env = dict(os.environ, PHP_CLI_SERVER_WORKERS="4")
        server = _start(
            [
                "php",
                "-d",
                "upload_max_filesize=64M",
                "-d",
                "post_max_size=64M",
                "-d",
                "memory_limit=256M",
                "-S",
                f"127.0.0.1:{port}",
                "-t",
                str(site),
                str(site / "router.php"),
            ],
            php_log,
            env,
        )
        _wait_for(lambda: _answers(f"{url}/?rest_route=/"), "PHP's server", php_log)
        yield WordPressSite(
            url=url,
            username=PUBLISHER,
            application_password=password,
            admin_username=ADMIN,
            admin_application_password=admin_password,
            timezone=timezone,
            database_socket=str(socket),
        )
    finally:
        if server is not None:
            _stop(server)
        _stop(database)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _config(url: str, socket: Path) -> str:
    # Application passwords are off unless the site is HTTPS or declares itself "local".
    return textwrap.dedent(
        f"""\
        <?php
        define('DB_NAME', 'wordpress');
        define('DB_USER', 'root');
        define('DB_PASSWORD', '');
        define('DB_HOST', 'localhost:{socket}');
        define('DB_CHARSET', 'utf8mb4');
        define('DB_COLLATE', '');
        $table_prefix = 'wp_';
        define('WP_HOME', '{url}');
        define('WP_SITEURL', '{url}');
        define('WP_ENVIRONMENT_TYPE', 'local');
        define('DISABLE_WP_CRON', true);
        define('WP_HTTP_BLOCK_EXTERNAL', true);
        define('AUTOMATIC_UPDATER_DISABLED', true);
        define('WP_CONTENT_DIR', __DIR__ . '/wp-content');
        define('ABSPATH', __DIR__ . '/');
        require_once ABSPATH . 'wp-settings.php';
        """
    )


# PHP's built-in server has no rewrite rules: files are served as they are, every other path
# goes to WordPress, which resolves its pretty permalinks itself.
ROUTER = """<?php
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path !== '/' && is_file(__DIR__ . $path)) {
    return false;
}
require __DIR__ . '/index.php';
"""


def _install(site: Path, url: str, work_dir: Path, timezone: str) -> tuple[str, str]:
    """``wp_install``, the site's settings and both accounts' application passwords, without
    wp-cli; prints the plain passwords, which WordPress cannot show again."""
    script = work_dir / "install.php"
    script.write_text(
        textwrap.dedent(
            f"""\
            <?php
            define('WP_INSTALLING', true);
            $_SERVER['HTTP_HOST'] = '{url.removeprefix("http://")}';
            require '{site}/wp-load.php';
            require_once ABSPATH . 'wp-admin/includes/upgrade.php';
            wp_install('Pemerintah Kota Tangerang', '{ADMIN}', 'redaksi@tangerangkota.go.id', true, '',
                       'sandi-uji-coba-saja');
            switch_theme('twentytwentythree');
            update_option('blogdescription', 'Situs resmi Pemerintah Kota Tangerang');
            foreach (get_posts(['post_type' => ['post', 'page'], 'post_status' => 'any', 'numberposts' => -1]) as $p) {{
                wp_delete_post($p->ID, true);  // the installer's "Hello world!" and sample page
            }}
            update_option('timezone_string', '{timezone}');
            $GLOBALS['wp_rewrite']->set_permalink_structure('/%year%/%monthnum%/%day%/%postname%/');
            flush_rewrite_rules();
            wp_insert_term('{CATEGORY}', 'category');
            $admin = get_user_by('login', '{ADMIN}');
            [$admin_password] = WP_Application_Passwords::create_new_application_password(
                $admin->ID, ['name' => 'tests']);
            $author = wp_insert_user(['user_login' => '{PUBLISHER}', 'user_pass' => wp_generate_password(24),
                                      'user_email' => 'warta@tangerangkota.go.id', 'role' => 'author',
                                      'display_name' => 'Prokopim Kota Tangerang']);
            [$password] = WP_Application_Passwords::create_new_application_password($author, ['name' => 'warta']);
            echo $admin_password, "\\n", $password, "\\n";
            """
        )
    )
    done = subprocess.run(["php", str(script)], check=True, capture_output=True, text=True, cwd=site)
    passwords = done.stdout.strip().splitlines()[-2:]
    if len(passwords) != 2 or any(len(p) < 16 for p in passwords):
        raise RuntimeError(f"WordPress did not install:\n{done.stdout}\n{done.stderr}")
    return passwords[0], passwords[1]
