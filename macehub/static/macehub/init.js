// Starts the GOV.UK Frontend and MOJ Frontend components on every page. Loaded as a
// module (so only browsers that GOV.UK Frontend supports run it); pages work without it.
import { createAll, initAll as initGovukFrontend } from "../govuk/govuk-frontend.min.js";
import {
  FilterToggleButton,
  initAll as initMojFrontend,
} from "../moj/moj-frontend.min.js";

initGovukFrontend();
initMojFrontend();
// MOJ's initAll leaves out the filter's show/hide button: a list's filter panel
// (components/filter.html) can be hidden so the list takes the whole width.
createAll(FilterToggleButton);
