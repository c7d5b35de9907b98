export { createRegisterActivity } from './register.js';
export { createEvidenceActivity } from './evidence.js';
export { createRecordApprovalActivity } from './record-approval.js';
