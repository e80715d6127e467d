// Starts the GOV.UK Frontend and MOJ Frontend components on every page. Loaded as a
// module (so only browsers that GOV.UK Frontend supports run it); pages work without it.
import { initAll as initGovukFrontend } from "../govuk/govuk-frontend.min.js";
import { initAll as initMojFrontend } from "../moj/moj-frontend.min.js";

initGovukFrontend();
initMojFrontend();
