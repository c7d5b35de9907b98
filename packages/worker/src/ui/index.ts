/**
 * The approvals page (`slipway ui`): pending gates with their evidence, local or proxy sign-in, and decisions
 * signed by the page's service key for the person signed in.
 */
export { startApprovalsPage, UI_HOST, type ApprovalsPage } from './server.js';
export { hashPassword, verifyPassword, MIN_PASSWORD_LENGTH, PASSWORD_SCRYPT } from './password.js';
export { SessionStore, SESSION_COOKIE, csrfTokenMatches, type Session } from './sessions.js';
export { IDENTITY_HEADERS, proxyIdentity, stateChangeRefusal, type ProxyIdentity } from './request-checks.js';
export { mayDecide, serviceSignsFor, type DecideAbility } from './may-decide.js';
export { gateAccess, type GateAccess, type ListedGate, type PageDecision } from './gate-access.js';
