"""Self-made labelled cases for contextual grounding. No shared grounding data exists; written by hand.

Each case is ``(context id, response, label)``: label 1 = the response is ungrounded (makes a claim the context
does not support: invented facts, swapped numbers, flipped negations, swapped names), 0 = grounded (restates or
paraphrases the context, possibly with courtesy phrases and questions).
"""

from __future__ import annotations

CONTEXTS: dict[str, str] = {
    "acme": (
        "Acme Corp opened its first factory in Dayton, Ohio in 1998. The factory employs 1,200 people and produces "
        "electric bicycles. In 2021 the company reported revenue of $3.5 million. Acme does not sell directly to "
        "consumers; it sells through retail partners. The CEO is Maria Lopez, who joined the company in 2015."
    ),
    "refund": (
        "Refund policy. Customers can return unused items within 30 days of delivery for a full refund. Items "
        "marked as final sale cannot be returned. Refunds are issued to the original payment method within 5 "
        "business days after we receive the item. Shipping costs are not refunded unless the item arrived damaged. "
        "Gift cards are non-refundable."
    ),
    "drug": (
        "Amoxicillin is a penicillin antibiotic used to treat bacterial infections such as ear infections and "
        "pneumonia. The usual adult dose is 500 mg every 8 hours. It does not work against viral infections like "
        "the common cold. Common side effects include nausea and diarrhoea. Patients allergic to penicillin should "
        "not take amoxicillin."
    ),
    "mars": (
        "The Perseverance rover landed in Jezero Crater on Mars on 18 February 2021. It carried a small helicopter "
        "named Ingenuity, which made the first powered flight on another planet. The rover collects rock samples "
        "that a later mission is planned to return to Earth. Perseverance is powered by a radioisotope generator, "
        "not by solar panels."
    ),
    "hr": (
        "Employees receive 25 days of paid annual leave per year, plus public holidays. Unused leave of up to 5 "
        "days can be carried over to the next year. Parental leave is 16 weeks at full pay. Remote work is allowed "
        "up to 3 days per week with manager approval. The office is closed between Christmas and New Year."
    ),
}

CASES: list[tuple[str, str, int]] = [
    # acme
    ("acme", "Acme opened its first factory in Dayton, Ohio, in 1998.", 0),
    ("acme", "The Dayton factory has 1,200 employees and makes electric bicycles.", 0),
    ("acme", "Sure! Acme sells through retail partners rather than directly to consumers. Anything else?", 0),
    ("acme", "Maria Lopez is the CEO; she joined in 2015. Revenue in 2021 was $3.5 million.", 0),
    ("acme", "The factory employs 1,500 people.", 1),
    ("acme", "Acme sells its bicycles directly to consumers online.", 1),
    ("acme", "The CEO of Acme is John Smith.", 1),
    ("acme", "Acme opened its first factory in 2005 in Dayton.", 1),
    ("acme", "Acme was founded by two brothers in Germany and now builds electric cars.", 1),
    ("acme", "In 2021 Acme reported revenue of $3.5 billion.", 1),
    # refund
    ("refund", "You can return unused items within 30 days of delivery for a full refund.", 0),
    ("refund", "Final sale items can't be returned, and gift cards are non-refundable.", 0),
    ("refund", "Refunds go back to your original payment method within 5 business days of us receiving the item.", 0),
    ("refund", "Happy to help! Shipping costs are not refunded unless the item arrived damaged.", 0),
    ("refund", "You can return items within 60 days of delivery.", 1),
    ("refund", "Gift cards can be refunded within 30 days.", 1),
    ("refund", "Shipping costs are always refunded.", 1),
    ("refund", "Refunds are paid in cash at any of our stores within 24 hours.", 1),
    ("refund", "Final sale items can be returned for store credit.", 1),
    # drug
    ("drug", "Amoxicillin is a penicillin antibiotic for bacterial infections like pneumonia and ear infections.", 0),
    ("drug", "The usual adult dose of amoxicillin is 500 mg every 8 hours.", 0),
    ("drug", "It doesn't work against viral infections such as the common cold.", 0),
    ("drug", "Nausea and diarrhoea are common side effects.", 0),
    ("drug", "The usual adult dose is 250 mg every 8 hours.", 1),
    ("drug", "Amoxicillin works well against the common cold.", 1),
    ("drug", "Patients allergic to penicillin can safely take amoxicillin.", 1),
    ("drug", "Amoxicillin commonly causes hair loss and insomnia.", 1),
    ("drug", "It is an antiviral medicine taken once a week.", 1),
    # mars
    ("mars", "Perseverance landed in Jezero Crater on 18 February 2021.", 0),
    ("mars", "It brought a helicopter called Ingenuity, which made the first powered flight on another planet.", 0),
    ("mars", "The rover is powered by a radioisotope generator rather than solar panels.", 0),
    ("mars", "The rover collects rock samples that a later mission plans to return to Earth.", 0),
    ("mars", "Perseverance landed in Gale Crater in 2012.", 1),
    ("mars", "Perseverance is powered by solar panels.", 1),
    ("mars", "The helicopter Ingenuity crashed on landing and never flew.", 1),
    ("mars", "The rover has already returned its rock samples to Earth on its own rocket.", 1),
    # hr
    ("hr", "You get 25 days of paid annual leave per year plus public holidays.", 0),
    ("hr", "Up to 5 unused days of leave can be carried over to the next year.", 0),
    ("hr", "Parental leave is 16 weeks at full pay.", 0),
    ("hr", "Great question! Remote work is allowed up to 3 days per week with manager approval.", 0),
    ("hr", "The office closes between Christmas and New Year.", 0),
    ("hr", "Employees receive 30 days of paid annual leave per year.", 1),
    ("hr", "Unused leave cannot be carried over.", 1),
    ("hr", "Parental leave is 6 weeks at half pay.", 1),
    ("hr", "Remote work is allowed every day without approval.", 1),
    ("hr", "Employees get a yearly bonus of 10% and free gym membership.", 1),
    # mixed: mostly supported with one invented sentence (ungrounded at the default threshold)
    ("hr", "Parental leave is 16 weeks at full pay. Employees also get a company car.", 1),
    ("mars", "Perseverance landed on 18 February 2021. It carried Ingenuity. It also carried two astronauts.", 1),
]
