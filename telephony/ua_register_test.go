package telephony_test

import (
	"context"
	"testing"

	"github.com/parley-cc/parley/telephony"
	"github.com/parley-cc/parley/telephony/sipptest"
)

// The UA answers REGISTER through its Registrar: SIPp registers with
// digest authentication on the call port, then un-registers.
func TestUARegistersPhones(t *testing.T) {
	reg, err := telephony.NewRegistrar(telephony.RegistrarConfig{Users: telephony.StaticUsers{"alice": "wonderland"}})
	if err != nil {
		t.Fatal(err)
	}
	reg.Start()
	defer reg.Close()
	e := startUA(t, telephony.Config{Registrar: reg})
	defer e.stop()
	res, err := sipptest.Run(context.Background(), t, sipptest.Options{
		Scenario: sipptest.Scenario("uac_register_digest.xml"),
		Target:   e.ua.SIPAddr().String(),
		AuthUser: "alice", AuthPassword: "wonderland",
		Vars: map[string]string{"user": "alice"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if bs := reg.Lookup("alice"); len(bs) != 0 {
		t.Errorf("bindings after un-REGISTER: %+v", bs)
	}
}
