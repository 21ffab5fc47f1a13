/**
 * Node attributes: the {@link org.vigil.crm.api.attrd.Attrd} service (Pacemaker's {@code pacemaker-attrd}), the
 * {@link org.vigil.crm.api.attrd.AttributeUpdate}s it takes, the {@link org.vigil.crm.api.attrd.AttributeValue}s
 * it answers queries with and the {@link org.vigil.crm.api.attrd.AttrdError}s it fails with.
 */
@Export
@Version("1.0.0")
package org.vigil.crm.api.attrd;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
