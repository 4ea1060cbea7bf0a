"""The recovery workflow, one module per step, plus the write side shared by the API and the
webhooks. Plain Python over the adapters in ``bounceback.services``: no event or HTTP shapes.

- ``recording``        a rejection or feedback is stored, once (API, webhooks)
- ``publish``          committed rejections and feedback become their events (the outbox)
- ``encourage``        step 1, don't take it personally            (on Rejection Logged)
- ``feedback_request`` step 2, ask for feedback; the follow-up, sent or cancelled
                       (Rejection Logged, Feedback Follow-up Due, Feedback Received)
- ``build_plan``       step 3, be more prepared                     (on Feedback Received)
- ``reapply``          step 4, keep going: schedule the date, then "you can reapply now"
                       (Rejection Logged, Cooldown Elapsed)
- ``notify``           the inbox + email delivery every step uses
- ``rejection_timers`` a rejection's timers, which never outlive it
- ``webhooks``         a job board's delivery in, one answer out
"""
