"""The recovery workflow, one module per step, plus the write side shared by the API and the
webhooks. Plain Python over the adapters in ``bounceback.services``: no event or HTTP shapes.

- ``recording``        a rejection or feedback is stored and its event published (API, webhooks)
- ``encourage``        step 1, don't take it personally            (on Rejection Logged)
- ``feedback_request`` step 2, ask for feedback, follow up, cancel (Rejection Logged, Feedback
                       Follow-up Due, Feedback Received)
- ``build_plan``       step 3, be more prepared                     (on Feedback Received)
- ``reapply``          step 4, keep going: schedule the date, then "you can reapply now"
                       (Rejection Logged, Cooldown Elapsed)
- ``notify``           the inbox + email delivery every step uses
"""
