"""Mistakes users make with FastKafka's API, which their editor must point out: `.ci/typecheck.py` requires pyright and
mypy to report an error on each line whose comment says expect-error, and on no other line of this file."""
from pydantic import BaseModel

from fastkafka import FastKafka, KafkaEvent
from fastkafka.testing import Tester


class Prediction(BaseModel):
    species: str


app = FastKafka(title="Mistakes")


@app.produces(topic="predictions")
async def to_predictions(length: float) -> Prediction:
    return Prediction(species="setosa" if length < 5 else "virginica")


@app.consumes(topic="predictions")
async def on_predictions(prediction: Prediction) -> None:
    print(prediction.species)


async def mistakes() -> None:
    await to_predictions("long")  # expect-error: @produces keeps the parameters' types
    species: str = await to_predictions(1.0)  # expect-error: ... and the declared return type
    await on_predictions("setosa")  # expect-error: @consumes returns the function it was given
    app.consume(topic="predictions")  # expect-error: a misspelt method of FastKafka
    KafkaEvent(Prediction(species="setosa"), key="setosa")  # expect-error: keys are bytes
    KafkaEvent(["setosa", "virginica"], key=b"species")  # expect-error: a KafkaEvent holds a model or a list of models
    async with Tester(app) as tester:
        await tester.on_predictions.assert_caled_with(Prediction(species="setosa"))  # expect-error: a misspelt assertion
        await tester.to_predictions({"species": "setosa"})  # expect-error: the Tester sends models, not dicts
    print(species)
