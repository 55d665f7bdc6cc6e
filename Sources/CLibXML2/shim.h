#ifndef VERITAS_CLIBXML2_SHIM_H
#define VERITAS_CLIBXML2_SHIM_H
// The system libxml2 HTML parser and tree API (Debian: libxml2-dev). Only the VeritasHTML Swift
// module imports this.
#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, so <libxml/encoding.h> would include the system <unicode/ucnv.h>,
// whose enums clash with the ICU copy Foundation ships (_FoundationICU) in any module that imports
// both. Hiding the flag only drops the two ICU converter fields at the end of
// xmlCharEncodingHandler; VeritasHTML never dereferences a handler, it only passes the pointer back.
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/encoding.h>
#endif
