/**
 * The CRM's public types: the CIB document as the scheduler and the future controller see it, and the transition
 * the scheduler computes from it.
 *
 * <p>{@link org.vigil.crm.api.PolicyEngine} is the entry point: it parses Pacemaker CIB XML into a
 * {@link org.vigil.crm.api.CibDocument} (errors are {@link org.vigil.crm.api.CibException}s that name the line
 * and column) and computes a {@link org.vigil.crm.api.Transition} from it, a pure function of the document, the
 * effective time and the time zone. The crm bundle registers an implementation as an OSGi service; plain Java callers get one
 * from {@link org.vigil.crm.api.PolicyEngine#standard()}.
 */
@Export
@Version("2.0.0")
package org.vigil.crm.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
