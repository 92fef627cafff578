package dataplane

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha/goha/test/harness"
)

// startPHPFPM runs Debian's php-fpm on a unix socket in dir, or skips.
func startPHPFPM(t *testing.T, dir string) string {
	t.Helper()
	bins, _ := filepath.Glob("/usr/sbin/php-fpm*")
	if len(bins) == 0 {
		t.Skip("php-fpm is not installed (.ci/run installs Debian's php-fpm)")
	}
	sock := filepath.Join(dir, "php.sock")
	conf := harness.WriteFile(t, dir, "fpm.conf", fmt.Sprintf(`[global]
error_log = %s/fpm.log
daemonize = no
[www]
listen = %s
pm = static
pm.max_children = 4
`, dir, sock))
	ini := harness.WriteFile(t, dir, "php.ini", "log_errors = On\npost_max_size = 64M\nupload_max_filesize = 16M\n")
	cmd := exec.Command(bins[0], "-R", "-F", "-c", ini, "-y", conf)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// SIGTERM: the master stops its workers before exiting (a SIGKILL
	// would leave them behind).
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	harness.WaitFor(t, 10*time.Second, "php-fpm's socket", func() bool { _, err := os.Stat(sock); return err == nil })
	return sock
}

// TestFastCGIPHPFPM serves PHP scripts from php-fpm through the binary:
// the CGI parameters (path-info, index, set-param with a condition,
// pass-header), a multipart upload and a 5 MB download intact, PHP's
// own status and headers, STDERR in the syslog, and the health check.
func TestFastCGIPHPFPM(t *testing.T) {
	dir := t.TempDir()
	www := filepath.Join(dir, "www")
	os.Mkdir(www, 0o755)
	harness.WriteFile(t, www, "index.php", `<?php echo "index ", $_SERVER['SCRIPT_NAME'];`)
	harness.WriteFile(t, www, "info.php", `<?php foreach (['SCRIPT_FILENAME','PATH_INFO','QUERY_STRING','X_IS_POST','HTTP_AUTHORIZATION','REMOTE_USER','SERVER_NAME'] as $k) echo $k, "=", $_SERVER[$k] ?? "(unset)", "\n";`)
	harness.WriteFile(t, www, "up.php", `<?php $f = $_FILES['file']; echo $f['size'], " ", md5_file($f['tmp_name']), " ", $_POST['note'];`)
	harness.WriteFile(t, www, "down.php", `<?php echo str_repeat("0123456789", 500000);`)
	harness.WriteFile(t, www, "teapot.php", `<?php http_response_code(418); header('X-App: php'); error_log("stderr-mark"); echo "tea";`)
	sock := startPHPFPM(t, dir)
	logs := harness.ListenDatagrams(t, "udp", "127.0.0.1:0")
	fe := harness.FreeAddr(t)
	admin := filepath.Join(dir, "admin.sock")
	startGoha(t, fmt.Sprintf(`
global
    log %s local0
    stats socket %s level admin
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind %s
    default_backend php
backend php
    use-fcgi-app app
    option httpchk GET /index.php
    server s1 %s proto fcgi check inter 200
fcgi-app app
    docroot %s
    index index.php
    path-info ^(/.+\.php)(/.*)?$
    acl is_post method POST
    set-param X_IS_POST yes if is_post
    pass-header Authorization
    log-stderr global
`, logs.Addr(), admin, fe, sock, www), fe)
	u := "http://" + fe
	if st, b, _ := get(t, u+"/"); st != 200 || b != "index /index.php" {
		t.Errorf("GET /: %d %q, want the index", st, b)
	}
	_, b, _ := get(t, u+"/info.php/p/q?x=1", "Authorization", "Basic eDp5")
	for _, want := range []string{"SCRIPT_FILENAME=" + www + "/info.php", "PATH_INFO=/p/q", "QUERY_STRING=x=1",
		"X_IS_POST=(unset)", "HTTP_AUTHORIZATION=Basic eDp5", "REMOTE_USER=x", "SERVER_NAME=" + fe} {
		if !strings.Contains(b, want+"\n") {
			t.Errorf("info.php: no %q in\n%s", want, b)
		}
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "f.bin")
	blob := bytes.Repeat([]byte("goha-fcgi"), 200000)
	fw.Write(blob)
	mw.WriteField("note", "hi")
	mw.Close()
	resp, err := http.Post(u+"/up.php", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := fmt.Sprintf("%d %x hi", len(blob), md5.Sum(blob)); string(got) != want {
		t.Errorf("upload: %q, want %q", got, want)
	}
	if st, b, _ := get(t, u+"/down.php"); st != 200 || len(b) != 5000000 {
		t.Errorf("download: %d, %d bytes, want 200 and 5000000", st, len(b))
	}
	st, b, h := get(t, u+"/teapot.php")
	if st != 418 || b != "tea" || h.Get("X-App") != "php" || h.Get("Status") != "" {
		t.Errorf("teapot.php: %d %q %v", st, b, h)
	}
	harness.WaitFor(t, 3*time.Second, "STDERR in the syslog", logs.Has("app["))
	if l := logs.Find("stderr-mark"); !strings.HasPrefix(l, "<131>") {
		t.Errorf("STDERR line %q, want local0.err tagged with the app's name", l)
	}
	harness.WaitFor(t, 5*time.Second, "the check through FastCGI", func() bool {
		return strings.Contains(harness.Socat(t, admin, "show stat\n"), ",L7OK,200,")
	})
}

// TestFastCGIBadServer: a FastCGI server that answers garbage gets the
// client a 502 with the PH flags, and the next request on a good
// answer is served.
func TestFastCGIBadServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := make(chan struct{})
	go func() {
		defer close(srv)
		fcgi.Serve(&garbageListener{ln}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "good") }))
	}()
	t.Cleanup(func() { ln.Close(); <-srv })
	logs := harness.ListenDatagrams(t, "udp", "127.0.0.1:0")
	fe := harness.FreeAddr(t)
	startGoha(t, fmt.Sprintf(`
global
    log %s local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind %s
    default_backend b
backend b
    use-fcgi-app app
    server s1 %s proto fcgi
fcgi-app app
    docroot /srv
`, logs.Addr(), fe, ln.Addr()), fe)
	if st, _, _ := get(t, "http://"+fe+"/bad.php"); st != 502 {
		t.Errorf("garbage answer: %d, want 502", st)
	}
	harness.WaitFor(t, 3*time.Second, "the 502's log line with PH--", logs.Has(" 502 "))
	if l := logs.Find(" 502 "); !strings.Contains(l, " PH-- ") {
		t.Errorf("log line %q, want the PH-- termination flags", l)
	}
	if st, b, _ := get(t, "http://"+fe+"/good.php"); st != 200 || b != "good" {
		t.Errorf("after the bad answer: %d %q, want 200 good", st, b)
	}
}

// garbageListener hands Go's FastCGI server every other connection and
// answers the others with an HTTP response instead of records.
type garbageListener struct{ net.Listener }

func (g *garbageListener) Accept() (net.Conn, error) {
	for {
		c, err := g.Listener.Accept()
		if err != nil {
			return nil, err
		}
		buf := make([]byte, 4096)
		n, _ := c.Read(buf)
		if !bytes.Contains(buf[:n], []byte("/bad.php")) {
			return &replayConn{Conn: c, first: buf[:n]}, nil
		}
		c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
		c.Close()
	}
}

// replayConn gives back the bytes read to choose the connection's fate.
type replayConn struct {
	net.Conn
	first []byte
}

func (r *replayConn) Read(p []byte) (int, error) {
	if len(r.first) > 0 {
		n := copy(p, r.first)
		r.first = r.first[n:]
		return n, nil
	}
	return r.Conn.Read(p)
}
