/** The built-in logistic regression's trainer name and model kind. */
export const LOGISTIC_REGRESSION = 'logistic-regression';
