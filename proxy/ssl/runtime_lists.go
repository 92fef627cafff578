package ssl

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"
)

// ShowCert handles `show ssl cert [NAME]`: the list of certificate
// names (the ongoing transaction first, prefixed with '*'), or one
// certificate's details ("*NAME" for the transaction's).
func (s *Store) ShowCert(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	if name == "" {
		if s.tx != nil {
			fmt.Fprintf(&b, "# transaction\n*%s\n", s.tx.name)
		}
		b.WriteString("# filename\n")
		for _, n := range s.order {
			b.WriteString(n + "\n")
		}
		return b.String(), nil
	}
	var c *Cert
	status := "Unused"
	if tname, ok := strings.CutPrefix(name, "*"); ok {
		if s.tx == nil || s.tx.name != tname {
			return "", fmt.Errorf("Can't display the certificate: Not found or the certificate is a bundle!\n")
		}
		c, _ = s.tx.build()
	} else {
		var known bool
		if c, known = s.certs[name]; !known {
			return "", fmt.Errorf("Can't display the certificate: Not found or the certificate is a bundle!\n")
		}
		if s.usesLocked(name) > 0 {
			status = "Used"
		}
	}
	fmt.Fprintf(&b, "Filename: %s\n", name)
	if c == nil {
		b.WriteString("Status: Empty\nOCSP Response Key: \n")
		return b.String(), nil
	}
	fmt.Fprintf(&b, "Status: %s\n", status)
	writeCertDetails(&b, c)
	return b.String(), nil
}

// writeCertDetails writes the lines of `show ssl cert NAME` after the
// status.
func writeCertDetails(b *strings.Builder, c *Cert) {
	l := c.Leaf
	fmt.Fprintf(b, "Serial: %s\n", Serial(l))
	fmt.Fprintf(b, "notBefore: %s\n", l.NotBefore.UTC().Format("Jan _2 15:04:05 2006 GMT"))
	fmt.Fprintf(b, "notAfter: %s\n", l.NotAfter.UTC().Format("Jan _2 15:04:05 2006 GMT"))
	if len(l.DNSNames) > 0 {
		sans := make([]string, len(l.DNSNames))
		for i, n := range l.DNSNames {
			sans[i] = "DNS:" + n
		}
		fmt.Fprintf(b, "Subject Alternative Name: %s\n", strings.Join(sans, ", "))
	}
	fmt.Fprintf(b, "Algorithm: %s\n", keyAlgorithm(l))
	fmt.Fprintf(b, "SHA1 FingerPrint: %X\n", sha1.Sum(l.Raw))
	fmt.Fprintf(b, "Subject: %s\n", FormatDN(l.RawSubject))
	fmt.Fprintf(b, "Issuer: %s\n", FormatDN(l.RawIssuer))
	for _, der := range c.TLS.Certificate[1:] {
		if cc, err := x509.ParseCertificate(der); err == nil {
			fmt.Fprintf(b, "Chain Subject: %s\nChain Issuer: %s\n", FormatDN(cc.RawSubject), FormatDN(cc.RawIssuer))
		}
	}
	key := ""
	if len(c.TLS.OCSPStaple) > 0 && c.Issuer != nil {
		key = ocspKey(c)
	}
	fmt.Fprintf(b, "OCSP Response Key: %s\n", key)
}

// keyAlgorithm names a key as HAProxy does: RSA2048, EC256, ED25519.
func keyAlgorithm(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA" + strconv.Itoa(k.N.BitLen())
	case *ecdsa.PublicKey:
		return "EC" + strconv.Itoa(k.Curve.Params().BitSize)
	case ed25519.PublicKey:
		return "ED25519"
	}
	return "Unknown"
}

// ocspKey is the hex id of a certificate's OCSP response: the serial of
// the leaf and the hashes of its issuer, as `show ssl ocsp-response`
// lists them.
func ocspKey(c *Cert) string {
	req, err := ocsp.CreateRequest(c.Leaf, c.Issuer, nil)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%x", req)
}

// SetOCSPResponse handles `set ssl ocsp-response BASE64`: the response
// (DER) is checked and stapled to the certificate it is about, for the
// next handshakes.
func (s *Store) SetOCSPResponse(b64 string) (string, error) {
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b64), ""))
	if err != nil {
		return "", fmt.Errorf("'set ssl ocsp-response' received invalid base64 encoded response.\n")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, name := range s.order {
		c := s.certs[name]
		if c == nil || c.Issuer == nil {
			continue
		}
		resp, err := ocsp.ParseResponseForCert(der, c.Leaf, c.Issuer)
		if err != nil || resp.SerialNumber.Cmp(c.Leaf.SerialNumber) != 0 {
			continue
		}
		if !resp.NextUpdate.IsZero() && resp.NextUpdate.Before(time.Now()) {
			return "", fmt.Errorf("OCSP single response: no longer valid.\n")
		}
		nc := *c
		nc.TLS.OCSPStaple = der
		s.certs[name] = &nc
		if err := s.reindexLocked(); err != nil {
			s.certs[name] = c
			return "", err
		}
		return "OCSP Response updated!\n", nil
	}
	return "", fmt.Errorf("Unable to parse OCSP response.\n")
}

// ShowCrtList handles `show ssl crt-list [-n] [NAME]`: the names of the
// crt-lists and directories, or one's lines (with ":LINE" after each
// certificate for -n).
func (s *Store) ShowCrtList(name string, withLines bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	if name == "" {
		for _, n := range s.lorder {
			b.WriteString(n + "\n")
		}
		return b.String(), nil
	}
	l, ok := s.lists[name]
	if !ok {
		return "", fmt.Errorf("didn't find the specified filename\n")
	}
	fmt.Fprintf(&b, "# %s\n", name)
	for _, e := range l.entries {
		b.WriteString(e.String(withLines) + "\n")
	}
	return b.String(), nil
}

// AddCrtList handles `add ssl crt-list LIST CERT` and its payload form
// (one crt-list line): the certificate, already in the store, is added
// to the list and served by every bind using it.
func (s *Store) AddCrtList(list, line string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lists[list]
	if !ok {
		return "", fmt.Errorf("didn't find the specified filename\n")
	}
	e, ok, err := ParseCrtListLine(list, len(l.entries)+1, strings.TrimSpace(line))
	if err != nil || !ok {
		return "", fmt.Errorf("%vCan't edit the crt-list: Invalid payload\n", err)
	}
	path := s.certPath(e.Cert)
	if c, known := s.certs[path]; !known || c == nil {
		return "", fmt.Errorf("certificate '%s' does not exist!\nCan't edit the crt-list: %s\n", path, path)
	}
	if l.dir && (len(e.OptWords) > 0 || len(e.Filters) > 0) {
		return "", fmt.Errorf("this is a directory, SSL configuration and SNI filters are not supported!\n")
	}
	e.Line = nextLine(l)
	oldE, oldP := l.entries, l.paths
	l.entries, l.paths = append(l.entries[:len(l.entries):len(l.entries)], e), append(l.paths[:len(l.paths):len(l.paths)], path)
	if err := s.reindexLocked(); err != nil {
		l.entries, l.paths = oldE, oldP
		return "", fmt.Errorf("%v\nCan't edit the crt-list: %s\n", err, path)
	}
	return fmt.Sprintf("Inserting certificate '%s' in crt-list '%s'.\nSuccess!\n", path, list), nil
}

// nextLine is the line number of a new entry: one past the last.
func nextLine(l *crtList) int {
	n := 0
	for _, e := range l.entries {
		n = max(n, e.Line)
	}
	return n + 1
}

// DelCrtList handles `del ssl crt-list LIST CERT[:LINE]`.
func (s *Store) DelCrtList(list, certLine string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lists[list]
	if !ok {
		return "", fmt.Errorf("Can't delete the entry: crt-list '%s' does not exist!\n", list)
	}
	cert, line := certLine, 0
	if i := strings.LastIndexByte(certLine, ':'); i >= 0 {
		if n, err := strconv.Atoi(certLine[i+1:]); err == nil {
			cert, line = certLine[:i], n
		}
	}
	path := s.certPath(cert)
	var hits []int
	for i, p := range l.paths {
		if p == path && (line == 0 || l.entries[i].Line == line) {
			hits = append(hits, i)
		}
	}
	return s.delEntryLocked(l, path, list, hits)
}

// delEntryLocked removes the one entry of hits from l.
func (s *Store) delEntryLocked(l *crtList, path, list string, hits []int) (string, error) {
	switch {
	case len(hits) == 0:
		return "", fmt.Errorf("Can't delete the entry: certificate '%s' doesn't exist!\n", path)
	case len(hits) > 1:
		lines := make([]string, len(hits))
		for i, h := range hits {
			lines[i] = strconv.Itoa(l.entries[h].Line)
		}
		return "", fmt.Errorf("Can't delete the entry: found the certificate '%s' in several entries, please specify a line number preceded by colons (%s)!\n", path, strings.Join(lines, ", "))
	}
	i := hits[0]
	oldE, oldP := l.entries, l.paths
	l.entries = append(append([]CrtListEntry{}, oldE[:i]...), oldE[i+1:]...)
	l.paths = append(append([]string{}, oldP[:i]...), oldP[i+1:]...)
	if err := s.reindexLocked(); err != nil {
		l.entries, l.paths = oldE, oldP
		return "", err
	}
	return fmt.Sprintf("Entry '%s' deleted in crtlist '%s'!\n", path, list), nil
}
