// Package charset converts the document encodings MRCPv2 bodies may
// declare besides UTF-8 (US-ASCII, ISO-8859-1) for the XML readers of
// NLSML, SSML and SRGS.
package charset
