/**
 * The replicated CIB: the {@link org.vigil.crm.api.cib.Cib} service, its immutable document
 * ({@link org.vigil.crm.api.cib.XmlNode} trees in {@link org.vigil.crm.api.cib.CibSnapshot}s with their
 * {@link org.vigil.crm.api.cib.CibVersion}), the requests that change it and the changes listeners see.
 */
@Export
@Version("1.3.0")
package org.vigil.crm.api.cib;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
