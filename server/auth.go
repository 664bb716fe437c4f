package server

import (
	"bufio"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/lakesql/lakesql/sqlerr"
	"golang.org/x/text/unicode/norm"
)

// scramIterations is PostgreSQL's default (scram_iterations).
const scramIterations = 4096

const (
	scramSHA256     = "SCRAM-SHA-256"
	scramSHA256Plus = "SCRAM-SHA-256-PLUS"
)

// verifier is a parsed SCRAM-SHA-256 secret, as PostgreSQL stores it:
// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> (base64).
type verifier struct {
	iter                 int
	salt                 []byte
	storedKey, serverKey []byte
}

func (v *verifier) String() string {
	b := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", v.iter, b(v.salt), b(v.storedKey), b(v.serverKey))
}

func parseVerifier(s string) (*verifier, error) {
	bad := fmt.Errorf("not a SCRAM-SHA-256 verifier (SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, as `lakesql passwd` prints)")
	rest, ok := strings.CutPrefix(s, "SCRAM-SHA-256$")
	if !ok {
		return nil, bad
	}
	params, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, bad
	}
	iterText, saltText, ok1 := strings.Cut(params, ":")
	storedText, serverText, ok2 := strings.Cut(keys, ":")
	if !ok1 || !ok2 {
		return nil, bad
	}
	iter, err := strconv.Atoi(iterText)
	if err != nil || iter < 1 || iter > 1<<24 {
		return nil, bad
	}
	d := base64.StdEncoding.DecodeString
	salt, err1 := d(saltText)
	stored, err2 := d(storedText)
	server, err3 := d(serverText)
	if err1 != nil || err2 != nil || err3 != nil || len(salt) == 0 || len(stored) != sha256.Size || len(server) != sha256.Size {
		return nil, bad
	}
	return &verifier{iter: iter, salt: salt, storedKey: stored, serverKey: server}, nil
}

// Verifier returns the SCRAM-SHA-256 verifier PostgreSQL would store for
// password, with a fresh random salt: what a users file holds.
func Verifier(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	v, err := makeVerifier(password, salt, scramIterations)
	if err != nil {
		return "", err
	}
	return v.String(), nil
}

func makeVerifier(password string, salt []byte, iter int) (*verifier, error) {
	salted, err := saltedPassword(password, salt, iter)
	if err != nil {
		return nil, err
	}
	stored := sha256.Sum256(hmacSHA256(salted, "Client Key"))
	return &verifier{iter: iter, salt: salt, storedKey: stored[:], serverKey: hmacSHA256(salted, "Server Key")}, nil
}

func saltedPassword(password string, salt []byte, iter int) ([]byte, error) {
	return pbkdf2.Key(sha256.New, saslPrep(password), salt, iter, sha256.Size)
}

// saslPrep normalizes a password as clients do before SCRAM (RFC 4013,
// in PostgreSQL's lenient form): non-ASCII spaces become spaces, soft
// hyphens and zero-width characters go, the rest is NFKC-normalized. A
// password that is not UTF-8 is used as it is.
func saslPrep(p string) string {
	ascii := true
	for i := 0; i < len(p); i++ {
		if p[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii || !utf8.ValidString(p) {
		return p
	}
	var sb strings.Builder
	for _, r := range p {
		switch r {
		case 0x00A0, 0x1680, 0x202F, 0x205F, 0x3000:
			sb.WriteRune(' ')
			continue
		case 0x00AD, 0x034F, 0x1806, 0x180B, 0x180C, 0x180D, 0x200B, 0x200C, 0x200D, 0x2060, 0xFE00, 0xFEFF:
			continue
		}
		if r >= 0x2000 && r <= 0x200A {
			sb.WriteRune(' ')
			continue
		}
		if r >= 0xFE01 && r <= 0xFE0F {
			continue
		}
		sb.WriteRune(r)
	}
	return norm.NFKC.String(sb.String())
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// LoadUsers reads a users file: one "name:verifier" per line (blank lines
// and lines starting with # are skipped), as `lakesql passwd` prints.
func LoadUsers(r io.Reader) (map[string]string, error) {
	users := map[string]string{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, v, ok := strings.Cut(text, ":")
		if !ok || name == "" {
			return nil, fmt.Errorf("line %d: want name:verifier", line)
		}
		if _, err := parseVerifier(v); err != nil {
			return nil, fmt.Errorf("line %d (user %q): %v", line, name, err)
		}
		if _, dup := users[name]; dup {
			return nil, fmt.Errorf("line %d: user %q listed twice", line, name)
		}
		users[name] = v
	}
	return users, sc.Err()
}

// authFailed is PostgreSQL's answer to a wrong password or unknown user
// (the two are not told apart).
func authFailed(user string) *sqlerr.Error {
	return sqlerr.New(sqlerr.InvalidPassword, "password authentication failed for user \"%s\"", user)
}

// errClientGone ends a login the client abandoned (psql does, to ask for
// the password, then comes back): no FATAL to send.
var errClientGone = &sqlerr.Error{Code: sqlerr.ProtocolViolation, Message: "client closed the connection during authentication"}

// authenticate runs the configured method; nil means the user is in.
func (c *conn) authenticate(user string) *sqlerr.Error {
	switch c.srv.cfg.Auth {
	case AuthPassword:
		return c.authPassword(user)
	case AuthSCRAM:
		return c.authSCRAM(user)
	}
	return nil
}

// userVerifier returns user's verifier, or for an unknown user a mock one
// (its salt derived from the name, its keys matching no password) so the
// exchange looks the same and does not tell which names exist.
func (c *conn) userVerifier(user string) *verifier {
	if text, ok := c.srv.cfg.Users[user]; ok {
		if v, err := parseVerifier(text); err == nil {
			return v
		}
	}
	salt := hmacSHA256(c.srv.mockSecret(), user)[:16]
	none := make([]byte, sha256.Size)
	rand.Read(none)
	return &verifier{iter: scramIterations, salt: salt, storedKey: none, serverKey: none}
}

// mockSecret is a per-server random key for mock salts.
func (s *Server) mockSecret() []byte {
	s.mockOnce.Do(func() {
		s.mock = make([]byte, 32)
		rand.Read(s.mock)
	})
	return s.mock
}

// receiveAuth reads the client's answer in an authentication exchange.
func (c *conn) receiveAuth(authType uint32) (pgproto3.FrontendMessage, *sqlerr.Error) {
	if err := c.be.Flush(); err != nil {
		return nil, errClientGone
	}
	c.be.SetAuthType(authType)
	msg, err := c.be.Receive()
	if err != nil {
		return nil, errClientGone
	}
	return msg, nil
}

// authPassword asks for the password in clear (over TLS, one hopes) and
// checks it against the user's verifier.
func (c *conn) authPassword(user string) *sqlerr.Error {
	c.be.Send(&pgproto3.AuthenticationCleartextPassword{})
	msg, e := c.receiveAuth(pgproto3.AuthTypeCleartextPassword)
	if e != nil {
		return e
	}
	pm, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return sqlerr.New(sqlerr.ProtocolViolation, "expected password response, got %T", msg)
	}
	v := c.userVerifier(user)
	got, err := makeVerifier(pm.Password, v.salt, v.iter)
	if err != nil || subtle.ConstantTimeCompare(got.storedKey, v.storedKey) != 1 || subtle.ConstantTimeCompare(got.serverKey, v.serverKey) != 1 {
		return authFailed(user)
	}
	return nil
}

// authSCRAM runs SCRAM-SHA-256 (RFC 5802, 7677) as PostgreSQL does: the
// user name is the startup message's, not the SCRAM message's; over TLS,
// SCRAM-SHA-256-PLUS binds the exchange to the server's certificate
// (tls-server-end-point, RFC 5929).
func (c *conn) authSCRAM(user string) *sqlerr.Error {
	mechs := []string{scramSHA256}
	var binding []byte
	if c.tlsConn != nil {
		if h, err := endPointHash(c.srv.cfg.TLS); err == nil {
			binding = h
			mechs = []string{scramSHA256Plus, scramSHA256}
		}
	}
	c.be.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: mechs})
	msg, e := c.receiveAuth(pgproto3.AuthTypeSASL)
	if e != nil {
		return e
	}
	first, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return sqlerr.New(sqlerr.ProtocolViolation, "expected SASL response, got %T", msg)
	}
	protocolErr := func(format string, args ...any) *sqlerr.Error {
		return sqlerr.New(sqlerr.ProtocolViolation, format, args...)
	}
	plus := first.AuthMechanism == scramSHA256Plus
	if first.AuthMechanism != scramSHA256 && !(plus && binding != nil) {
		return protocolErr("client selected an invalid SASL authentication mechanism")
	}
	// client-first-message: gs2-header client-first-message-bare
	data := string(first.Data)
	cbflag, rest, ok1 := strings.Cut(data, ",")
	authzid, bare, ok2 := strings.Cut(rest, ",")
	if !ok1 || !ok2 {
		return protocolErr("malformed SCRAM message")
	}
	switch {
	case plus && cbflag != "p=tls-server-end-point":
		return protocolErr("unsupported SCRAM channel-binding type")
	case !plus && cbflag == "y" && binding != nil:
		// The client could have bound the channel but thinks we cannot:
		// someone in between removed SCRAM-SHA-256-PLUS.
		return protocolErr("SCRAM channel binding negotiation error")
	case !plus && cbflag != "n" && cbflag != "y":
		return protocolErr("malformed SCRAM message")
	}
	if authzid != "" {
		return protocolErr("client uses authorization identity, but it is not supported")
	}
	gs2Header := data[:len(cbflag)+1+len(authzid)+1]
	clientNonce := ""
	for _, attr := range strings.Split(bare, ",") {
		if v, ok := strings.CutPrefix(attr, "r="); ok {
			clientNonce = v
		}
	}
	if clientNonce == "" {
		return protocolErr("malformed SCRAM message: no nonce")
	}
	v := c.userVerifier(user)
	nonceBytes := make([]byte, 18)
	rand.Read(nonceBytes)
	nonce := clientNonce + base64.StdEncoding.EncodeToString(nonceBytes)
	serverFirst := "r=" + nonce + ",s=" + base64.StdEncoding.EncodeToString(v.salt) + ",i=" + strconv.Itoa(v.iter)
	c.be.Send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})
	msg, e = c.receiveAuth(pgproto3.AuthTypeSASLContinue)
	if e != nil {
		return e
	}
	final, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return sqlerr.New(sqlerr.ProtocolViolation, "expected SASL response, got %T", msg)
	}
	clientFinal := string(final.Data)
	i := strings.LastIndex(clientFinal, ",p=")
	if i < 0 {
		return protocolErr("malformed SCRAM message: no proof")
	}
	withoutProof, proofText := clientFinal[:i], clientFinal[i+3:]
	var cbText, finalNonce string
	for _, attr := range strings.Split(withoutProof, ",") {
		if x, ok := strings.CutPrefix(attr, "c="); ok {
			cbText = x
		} else if x, ok := strings.CutPrefix(attr, "r="); ok {
			finalNonce = x
		}
	}
	wantCB := []byte(gs2Header)
	if plus {
		wantCB = append(wantCB, binding...)
	}
	if cbText != base64.StdEncoding.EncodeToString(wantCB) {
		return protocolErr("SCRAM channel binding check failed")
	}
	if finalNonce != nonce {
		return protocolErr("SCRAM nonce mismatch")
	}
	proof, err := base64.StdEncoding.DecodeString(proofText)
	if err != nil || len(proof) != sha256.Size {
		return protocolErr("malformed SCRAM message: bad proof")
	}
	authMessage := bare + "," + serverFirst + "," + withoutProof
	clientSig := hmacSHA256(v.storedKey, authMessage)
	clientKey := make([]byte, sha256.Size)
	for k := range clientKey {
		clientKey[k] = proof[k] ^ clientSig[k]
	}
	got := sha256.Sum256(clientKey)
	if subtle.ConstantTimeCompare(got[:], v.storedKey) != 1 {
		return authFailed(user)
	}
	serverSig := hmacSHA256(v.serverKey, authMessage)
	c.be.Send(&pgproto3.AuthenticationSASLFinal{Data: []byte("v=" + base64.StdEncoding.EncodeToString(serverSig))})
	return nil
}

// endPointHash is the tls-server-end-point channel binding of the
// server's certificate: its hash under the certificate's signature hash
// (SHA-256 for MD5 and SHA-1), per RFC 5929.
func endPointHash(cfg *tls.Config) ([]byte, error) {
	if cfg == nil || len(cfg.Certificates) == 0 || len(cfg.Certificates[0].Certificate) == 0 {
		return nil, fmt.Errorf("no certificate")
	}
	cert := cfg.Certificates[0]
	leaf := cert.Leaf
	if leaf == nil {
		var err error
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil, err
		}
	}
	var h hash.Hash
	switch leaf.SignatureAlgorithm {
	case x509.MD5WithRSA, x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.SHA256WithRSA, x509.SHA256WithRSAPSS, x509.ECDSAWithSHA256:
		h = sha256.New()
	case x509.SHA384WithRSA, x509.SHA384WithRSAPSS, x509.ECDSAWithSHA384:
		h = sha512.New384()
	case x509.SHA512WithRSA, x509.SHA512WithRSAPSS, x509.ECDSAWithSHA512:
		h = sha512.New()
	default:
		return nil, fmt.Errorf("tls-server-end-point is undefined for %v certificates", leaf.SignatureAlgorithm)
	}
	h.Write(cert.Certificate[0])
	return h.Sum(nil), nil
}
