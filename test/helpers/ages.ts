/**
 * Folds away the minutes a slow machine adds to an age in whole hours: a snapshot made "3h"
 * back when a test starts reads "3h2m ago" two minutes later on a loaded machine. Only a few
 * minutes are forgiven, so a wrong age still fails.
 */
export function settleAges(text: string, slackMinutes = 10): string {
  return text.replace(/\b(\d+h)(\d+)m\b/g, (whole, hours: string, minutes: string) => (Number(minutes) < slackMinutes ? hours : whole));
}
