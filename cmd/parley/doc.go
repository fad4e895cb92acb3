// Command parley is the one binary of the Parley contact center.
//
//	parley serve      run the contact center (SIP, media, console) in one process
//	parley config     print the effective configuration as YAML
//	parley version    print the version
//
// Configuration is read from one YAML file (--config or PARLEY_CONFIG), then
// PARLEY_* environment variables, then flags; every setting has a documented
// default, so `parley serve` runs with no file at all. See
// docs/configuration.md.
//
// cmd/parley is the only package that reads configuration; it wires the
// other packages together and owns their lifetimes.
package main
